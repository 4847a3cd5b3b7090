# Quickstart:  make run   (venv, install, fetch MNIST, train)   |   make test   (the whole suite)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast test-variant data bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,all]"
	@# Bytecode for the package, as `pip install` of a wheel writes it: an editable install
	@# writes none, and with PYTHONDONTWRITEBYTECODE set (as on some machines) Python never
	@# would, so every `import glassgrad` compiled it again (benchmarks/RESULTS.md, import time).
	$(PY) -m compileall -q src/glassgrad
	touch $(STAMP)

venv: $(STAMP)

data: $(STAMP)
	$(VENV)/bin/glassgrad data fetch mnist
	@# Fashion-MNIST only where Debian's dataset-fashion-mnist is installed (.ci/run installs
	@# it); its tests skip otherwise. No download attempt: CI machines have no internet.
	@$(VENV)/bin/glassgrad data fetch fashion-mnist --source debian \
		|| echo "note: Fashion-MNIST not fetched (apt-get install dataset-fashion-mnist); its tests will skip"

run: data
	$(VENV)/bin/glassgrad train

test: data
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow" -x

# The fast suite once more as another machine would run it: one thread (torch and OpenBLAS
# then pick other kernels), OpenBLAS's Haswell kernels, and a random test order
# (pytest-randomly prints its seed). CI runs it after `make test`.
test-variant: data
	OMP_NUM_THREADS=1 OPENBLAS_CORETYPE=Haswell $(PY) -m pytest -q -m "not slow" -p randomly

bench: $(STAMP)
	$(PY) benchmarks/overhead.py
	$(PY) benchmarks/mlp_epoch.py
	$(PY) benchmarks/cnn_step.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
