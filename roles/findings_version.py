"""The version of everything the chart rules read (see roles/migrations/0007_findings_version.py), and
the SQL that keeps it: the migrations of roles and of each app whose chart rule reads its own tables
call `findings_version_triggers`. Kept here, not in a migration, so those migrations share it."""

from django.db import connection
from django.db.models import CharField, Expression, Value
from django.db.models.expressions import RawSQL

FUNCTIONS = """
CREATE TABLE roles_findings_version (
    id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    epoch uuid NOT NULL DEFAULT gen_random_uuid(),
    n bigint NOT NULL DEFAULT 0
);
INSERT INTO roles_findings_version DEFAULT VALUES;
-- One row per writing transaction, gone at its commit: what the commit-time trigger hangs on.
CREATE TABLE roles_findings_pending (id bigserial PRIMARY KEY);

CREATE FUNCTION roles_findings_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('marops.findings_changed', true) IS DISTINCT FROM '1' THEN
        PERFORM set_config('marops.findings_changed', '1', true);
        INSERT INTO roles_findings_pending DEFAULT VALUES;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION roles_findings_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE roles_findings_version SET n = n + 1;
    DELETE FROM roles_findings_pending WHERE id = NEW.id;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER findings_commit AFTER INSERT ON roles_findings_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION roles_findings_commit();
"""

DROP_FUNCTIONS = """
DROP TABLE roles_findings_pending;
DROP FUNCTION roles_findings_commit();
DROP FUNCTION roles_findings_written();
DROP TABLE roles_findings_version;
"""


def findings_version_triggers(table: str, changed: str = "OLD.* IS DISTINCT FROM NEW.*") -> tuple[str, str]:
    """The SQL adding (and removing) the version's triggers on `table`: any INSERT, DELETE or TRUNCATE
    (once per statement), and an UPDATE of a row where `changed`."""
    add = f"""
    CREATE TRIGGER findings_written AFTER INSERT OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION roles_findings_written();
    CREATE TRIGGER findings_written_update AFTER UPDATE ON {table}
        FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION roles_findings_written();
    """
    drop = f"DROP TRIGGER findings_written ON {table}; DROP TRIGGER findings_written_update ON {table};"
    return add, drop


def findings_version() -> Expression:
    """An annotation for a Chart query: the findings version as text ("epoch.n"), or None where nothing may
    be kept (not PostgreSQL, or this transaction has itself written what the rules read: it sees rows it may
    still roll back). Read in the same statement as the chart, before its seats."""
    if connection.vendor != "postgresql":
        return Value(None, output_field=CharField())
    return RawSQL(
        "SELECT CASE WHEN current_setting('marops.findings_changed', true) = '1' THEN NULL"
        " ELSE epoch::text || '.' || n END FROM roles_findings_version",
        (),
        output_field=CharField(),
    )
