"""The custom-run form an operator fills in the Prefect UI: every deployment described in Chinese with its
schedule in 北京时间, every parameter titled and described in Chinese with its default, units chosen from
the registry. The schema is the one Prefect itself builds from each flow (what `credit deploy` sends)."""

from __future__ import annotations

import re

import pytest
import yaml
from prefect.flows import load_flow_from_entrypoint
from prefect.utilities.callables import parameter_schema

from credit.duties.rules import duty_units
from credit.steps.collect import daily_units
from credit.units import collected_units, reporting_units
from tests.harness import PROJECT

CHINESE = re.compile(r"[\u4e00-\u9fff]")
CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
STRAY_SPACE = re.compile(f"{CJK} +{CJK}")
SPEC = yaml.safe_load((PROJECT / "deployments" / "prefect.yaml").read_text(encoding="utf-8"))


def schema_of(entrypoint: str) -> dict:
    flow = load_flow_from_entrypoint(str(PROJECT / entrypoint))
    return parameter_schema(flow).model_dump()


@pytest.mark.parametrize("spec", SPEC["deployments"], ids=lambda s: s["name"])
def test_every_deployment_and_parameter_speaks_chinese(spec):
    assert CHINESE.search(spec["description"])
    if spec.get("schedules"):
        assert "北京时间" in spec["description"]  # the UI shows cron times without a zone
    assert not STRAY_SPACE.search(spec["description"]), "a line break folded into a space between Chinese"
    schema = schema_of(spec["entrypoint"])
    assert schema["properties"], spec["name"]
    for name, prop in schema["properties"].items():
        assert CHINESE.search(prop["title"]), f"{spec['name']}.{name} has no Chinese title"
        assert CHINESE.search(prop.get("description") or ""), f"{spec['name']}.{name} is not described"
        assert "default" in prop, f"{spec['name']}.{name} shows no default"
        assert "anyOf" not in prop, f"{spec['name']}.{name} would show as 'Property is type None'"


def test_units_are_chosen_from_the_registry_with_their_names():
    schema = schema_of("flows/daily.py:daily_pipeline")
    units = schema["properties"]["units"]
    assert units["type"] == "array"  # a multi-select, not "anyOf … null" ("Property is type None")
    choices = units["items"]["enum"]
    assert choices == [f"{u.code} {u.name}" for u in daily_units()]
    # every unit that reports records and every unit that owes evidence of a duty (市委政法委: evidence only)
    codes = {c.split(" ", 1)[0] for c in choices}
    assert {u.code for u in collected_units()} | duty_units() == codes and "zfw" in codes
    # The 49 双公示 units first, then the units that report only other credit datasets (市人民法院, …).
    assert choices[:49] == [f"{u.code} {u.name}" for u in reporting_units()]
    assert "fy 雷州市人民法院" in choices[49:]


def test_a_unit_is_given_by_its_choice_or_its_bare_code():
    from flows.params import unit_codes

    assert unit_codes(["scjgj 雷州市市场监督管理局", "gaj"]) == ["scjgj", "gaj"]
    assert unit_codes(None) == [u.code for u in daily_units()]
    with pytest.raises(ValueError, match=r"未知单位代码.*nope"):
        unit_codes(["scjgj", "nope"])
