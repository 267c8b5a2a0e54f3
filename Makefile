# Two entry points: `make demo` and `make test`. Both build .venv from the pinned requirements first.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# Keep torch and numpy from oversubscribing a small CPU machine.
export OMP_NUM_THREADS ?= 2
export MKL_NUM_THREADS ?= 2

.PHONY: demo test install venv clean

$(VENV)/.stamp: requirements.txt requirements/mmaction.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -r requirements.txt
	$(PIP) install --quiet --no-deps -r requirements/mmaction.txt
	touch $@

venv: $(VENV)/.stamp

# A regular (non-editable) install: `mim train sfhead_mm ...` needs the package folder with its
# `.mim/` tools and configs in site-packages, which an editable install does not provide.
install: venv
	rm -rf build
	$(PIP) install --quiet --no-deps --no-build-isolation .

demo: install
	$(PY) tools/demo.py

# One torch/OpenMP thread per test worker and one worker per core: the suite is many small
# models and subprocesses, for which two threads each on two cores mostly wait on each other.
PYTEST_WORKERS ?= auto
test: install
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -q -n $(PYTEST_WORKERS) tests

clean:
	rm -rf $(VENV) build *.egg-info work_dirs
