# Two commands do everything on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 90

.PHONY: install lint format test test-stock-gx test-gx-range demo bench clean

$(STAMP): pyproject.toml requirements.lock scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	# Prefect's local database (the ephemeral API's): migrated once here, not by the first flow run.
	$(BIN)/prefect server database upgrade -y >/dev/null
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The validation tests again with GX's stock behaviour: every private GX patch off (credit/validation/gx_patches.py).
VALIDATION_TESTS := tests/test_validation_samples.py tests/test_validation_batch.py \
	tests/test_validation_reference.py tests/test_direct_suite.py tests/test_data_docs_privacy.py \
	tests/test_suites.py tests/test_rules.py tests/test_check.py

test: install lint
	$(BIN)/pytest
	$(MAKE) --no-print-directory test-stock-gx

test-stock-gx: install
	CREDIT_GX_PATCHES=off $(BIN)/pytest -q -p no:cacheprovider $(VALIDATION_TESTS)

# The newest GX release that pyproject's range admits, in a venv layered over the project's (only GX replaced;
# patches off by themselves when it is not the release they were written for): the range is what this proves.
GX_RANGE_VENV ?= /tmp/credit-gx-range
test-gx-range: install
	.ci/gx-range $(GX_RANGE_VENV) $(VALIDATION_TESTS) tests/test_gx_patches.py

demo: install
	$(BIN)/credit demo

bench: install
	$(BIN)/python -m bench.run $(if $(RECORDS),--records $(RECORDS),)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
