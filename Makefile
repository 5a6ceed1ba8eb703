# The README names these targets. Each installs what it needs.
.PHONY: run test ci lint fmt audit prodshape translations

run:  ## install and start on the embedded default with demo data
	./scripts/run

test:  ## install and run the whole test suite
	./scripts/test

ci:  ## what CI runs: formatting, lint, migrations, deploy checks, tests twice
	bash .ci/run

lint:
	uv run --frozen ruff format --check . && uv run --frozen ruff check . && uv run --frozen mypy

fmt:
	uv run --frozen ruff format . && uv run --frozen ruff check --fix .
	find templates -name '*.html' -print0 | xargs -0 uv run --frozen djade --target-version 6.1

audit:  ## bandit over the code, and the locked dependencies against known vulnerabilities
	uv run --frozen bandit -q -c pyproject.toml -r config configurator reports sizing scripts
	./scripts/audit-dependencies

prodshape:  ## the production shape without Docker: gunicorn + Celery worker on local PostgreSQL and Redis
	./scripts/prodshape

translations:
	./scripts/update-translations
