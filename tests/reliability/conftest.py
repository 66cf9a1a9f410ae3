"""Fixtures of the reliability suite: one generated day, and the clean run every faulted run must equal."""

from __future__ import annotations

import pytest

from tests.reliability import common


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    return common.generate(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def clean(template, tmp_path_factory):
    """The day run once without any fault: what every recovered run is compared with."""
    from credit.sandbox import start_sandbox
    from tests.reliability.driver import run_day

    home = common.new_home(template, tmp_path_factory.mktemp("clean"))
    with start_sandbox(app_key=common.KEY, app_secret=common.SECRET) as sandbox:
        settings = common.make_settings(home, sandbox.url)
        out = run_day(settings, common.DAY, common.UNITS)
        assert not out["errors"], out["errors"]
        result = common.summary(settings, sandbox)
    assert result["accepted"] > 20 and result["stats"]["total"]["invalid"] > 0
    return result


@pytest.fixture
def sandbox():
    from credit.sandbox import start_sandbox

    handle = start_sandbox(app_key=common.KEY, app_secret=common.SECRET)
    yield handle
    handle.stop()
