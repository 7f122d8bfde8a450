import pytest
from django.core.management import CommandError, call_command

from roles.models import Chart, Position

pytestmark = pytest.mark.django_db


def test_chart_findings_prints_key_severity_titles_and_message_separated_by_tabs(demo, capsys):
    call_command("chart_findings")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "head-reports-to-cmo\thigh\tMarketing Operations Manager, Demand Generation Director\t"
        "The Head of Marketing Operations (Marketing Operations Manager) reports to Demand Generation Director, "
        "not directly to the CMO."
    )
    assert "missing-role\tmedium\t\tNo position holds the Prompt and Knowledge Designer role." in lines
    assert all(len(line.split("\t")) == 4 for line in lines)


def test_chart_findings_for_a_named_chart_and_an_unknown_one(demo, capsys):
    call_command("chart_findings", chart="Halcyon — 2026 target")
    assert capsys.readouterr().out == ""
    with pytest.raises(CommandError, match="No chart called “Nope”"):
        call_command("chart_findings", chart="Nope")


def test_import_chart_imports_a_file_into_a_new_scenario(tmp_path, capsys, db):
    path = tmp_path / "chart.csv"
    path.write_text(
        "position_id,title,person_name,person_email,manager_position_id,dotted_line_position_ids,roles,team,level,salary\n"
        "1,CMO,,,,,cmo,executive,C-level,\n2,Head of MarOps,,,1,,head-of-marops,marops,director,100000\n"
    )
    call_command("import_chart", str(path), scenario="From the spreadsheet")
    assert "Imported 2 positions into “From the spreadsheet”" in capsys.readouterr().out
    assert Chart.objects.get(name="From the spreadsheet").positions.count() == 2


def test_import_chart_with_bad_rows_lists_them_and_writes_nothing(tmp_path, capsys, db):
    path = tmp_path / "chart.csv"
    path.write_text(
        "position_id,title,person_name,person_email,manager_position_id,dotted_line_position_ids,roles,team,level,salary\n"
        "1,CMO,,,,,cmo,executive,C-level,\n2,Head,,,9,,head-of-marops,marops,boss,\n"
    )
    with pytest.raises(CommandError, match="Nothing imported: 2 problem"):
        call_command("import_chart", str(path), scenario="Broken")
    err = capsys.readouterr().err
    assert "row 3: manager_position_id “9” is not a position_id in the file" in err
    assert "row 3: unknown level “boss”" in err
    assert not Chart.objects.filter(name="Broken").exists() and Position.objects.count() == 0
