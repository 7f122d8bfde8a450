from django import template

from roles.cost import CostRange

register = template.Library()


@register.filter
def gbp(value: int | str | None) -> str:
    """72000 -> '£72,000'."""
    if value is None or value == "":
        return "—"
    value = int(value)
    return f"{'−' if value < 0 else ''}£{abs(value):,}"


@register.filter
def signed_gbp(value: int | None) -> str:
    """A change in money: '+£12,000', '−£5,000', '£0'."""
    value = int(value or 0)
    return f"+£{value:,}" if value > 0 else gbp(value)


@register.filter
def gbp_range(cost: CostRange) -> str:
    """A CostRange as '£250,000 – £350,000'."""
    return f"{gbp(cost.low)} – {gbp(cost.high)}"


@register.filter
def signed_gbp_range(cost: CostRange) -> str:
    if cost.low == 0 and cost.high == 0:
        return "no change"
    return f"{signed_gbp(cost.low)} to {signed_gbp(cost.high)}"
