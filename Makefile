# The README names these targets. Each installs what it needs.
.PHONY: run test ci lint fmt audit prodshape translations

run:  ## install and start on the embedded default with demo data
	./scripts/run

test:  ## install and run the whole test suite
	./scripts/test

ci:  ## what CI runs: formatting, lint, migrations, deploy checks, tests twice
	bash .ci/run

lint:
	./scripts/uv run --frozen ruff format --check . && ./scripts/uv run --frozen ruff check . && ./scripts/uv run --frozen mypy

fmt:
	./scripts/uv run --frozen ruff format . && ./scripts/uv run --frozen ruff check --fix .
	find templates -name '*.html' -print0 | xargs -0 ./scripts/uv run --frozen djade --target-version 6.1

audit:  ## bandit over the code, and the locked dependencies against known vulnerabilities
	./scripts/uv run --frozen bandit -q -c pyproject.toml -r config configurator reports sizing scripts
	./scripts/audit-dependencies

prodshape:  ## the production shape without Docker: gunicorn + Celery worker on local PostgreSQL and Redis
	./scripts/prodshape

translations:
	./scripts/update-translations
