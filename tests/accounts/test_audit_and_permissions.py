"""The audit log, the permission table and its coverage, pure engines, and production settings."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from lianzhang.accounts.models import AuditEntry, Role
from lianzhang.accounts.permissions import RULES, SYSTEM, guarded
from lianzhang.accounts.services import NewUser, create_user, list_audit
from lianzhang.config import PLACEHOLDER_SECRET, ConfigError, load_config
from lianzhang.enterprises import project_services, services
from lianzhang.enterprises.models import Enterprise
from lianzhang.enterprises.project_services import ProjectInput
from lianzhang.enterprises.tabular import HEADERS
from tests.conftest import PASSWORD, credit_code, enterprise_record

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "lianzhang"


# --- every change leaves an audit entry ---------------------------------------------------------


def _create_enterprise(personas, enterprise_a):
    record = enterprise_record("丁数据有限公司", "440106002", 51)
    return services.create_enterprise(personas["chain_office"].actor, record)


def _update_enterprise(personas, enterprise_a):
    record = dataclasses.replace(services.record_of(enterprise_a), products="新一代视觉检测平台")
    return services.update_enterprise(
        personas["chain_office"].actor, enterprise_a.pk, enterprise_a.version, record
    )


def _delete_enterprise(personas, enterprise_a):
    enterprise = services.create_enterprise(SYSTEM, enterprise_record("待删有限公司", "440106002", 52))
    services.delete_enterprise(personas["chain_office"].actor, enterprise.pk, enterprise.version)
    return enterprise


def _create_project(personas, enterprise_a):
    data = ProjectInput(enterprise_a.pk, "大模型质检", "rnd", 80_000_000)
    return project_services.create_project(personas["chain_office"].actor, data)


def _transition_project(personas, enterprise_a):
    project = enterprise_a.projects.get()
    return project_services.transition_project(
        personas["chain_office"].actor, project.pk, project.version, "formal_check", "材料齐全"
    )


def _confirm_node(personas, enterprise_a):
    services.confirm_node(personas["chain_office"].actor, enterprise_a.pk, "vision")
    return enterprise_a


def _import_row(personas, enterprise_a):
    row = {"统一社会信用代码*": credit_code("440106", 53), "企业名称*": "导入有限公司", "所在区划*": "440106"}
    data = (",".join(HEADERS) + "\n" + ",".join(row.get(h, "") for h in HEADERS) + "\n").encode()
    report = services.import_enterprises(personas["chain_office"].actor, io.BytesIO(data), "企业.csv")
    assert report.created == 1
    return Enterprise.objects.get(name="导入有限公司")


# (operation, expected action, expected model, a key that must appear in the changes)
OPERATIONS: dict[str, tuple[Callable, str, str, str]] = {
    "create enterprise": (_create_enterprise, "create", "enterprises.enterprise", "credit_code"),
    "update enterprise": (_update_enterprise, "update", "enterprises.enterprise", "products"),
    "delete enterprise": (_delete_enterprise, "delete", "enterprises.enterprise", "name"),
    "import enterprise": (_import_row, "create", "enterprises.enterprise", "name"),
    "create project": (_create_project, "create", "enterprises.project", "budget_fen"),
    "transition project": (_transition_project, "transition", "enterprises.project", "status"),
    "confirm node": (_confirm_node, "confirm_node", "enterprises.enterprise", "node"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_change_through_the_services_is_audited(personas, enterprise_a, operation) -> None:
    run, action, model, key = OPERATIONS[operation]
    chain = personas["chain_office"].actor
    before = set(AuditEntry.objects.filter(user_id=chain.user_id).values_list("pk", flat=True))

    obj = run(personas, enterprise_a)

    new = AuditEntry.objects.filter(user_id=chain.user_id).exclude(pk__in=before)
    assert new.count() == 1, list(new.values("action", "model"))
    entry = new.get()
    assert (entry.username, entry.role, entry.action, entry.model) == (
        "chain",
        Role.CHAIN_OFFICE,
        action,
        model,
    )
    assert entry.object_id == str(obj.pk)
    assert key in entry.changes
    assert entry.at is not None


@pytest.mark.django_db
def test_creating_a_user_is_audited(personas) -> None:
    user = create_user(personas["admin"].actor, NewUser("新专家", PASSWORD, Role.EXPERT))
    entry = AuditEntry.objects.get(model="auth.user", object_id=str(user.pk))
    assert (entry.username, entry.action, entry.changes) == (
        "admin",
        "create",
        {"username": "新专家", "role": "expert"},
    )


@pytest.mark.django_db
def test_refused_changes_leave_no_audit_entry(personas, enterprise_a) -> None:
    before = AuditEntry.objects.count()
    project = enterprise_a.projects.get()
    with pytest.raises(PermissionDenied):
        project_services.transition_project(
            personas["enterprise_a"].actor, project.pk, project.version, "review"
        )
    with pytest.raises(ValidationError):
        project_services.transition_project(
            personas["chain_office"].actor, project.pk, project.version, "accepted"
        )
    assert AuditEntry.objects.count() == before


# --- reading the audit log ----------------------------------------------------------------------


@pytest.fixture
def audited(personas, enterprise_a):
    """One update by the chain office, so the log has something recognisable in it."""
    _update_enterprise(personas, enterprise_a)
    return personas


@pytest.mark.django_db
def test_chain_office_reads_the_audit_log_page(audited, enterprise_a) -> None:
    response = audited["chain_office"].client.get("/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "新一代视觉检测平台" in body
    assert enterprise_a.name in body


@pytest.mark.django_db
def test_chain_office_reads_the_audit_log_api_with_changes(audited, enterprise_a) -> None:
    entries = audited["chain_office"].client.get("/api/audit?model=enterprises.enterprise").json()
    updates = [e for e in entries if e["action"] == "update"]
    assert len(updates) == 1
    assert updates[0]["username"] == "chain"
    assert updates[0]["object_id"] == str(enterprise_a.pk)
    assert updates[0]["changes"] == {"products": ["视觉检测平台", "新一代视觉检测平台"]}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["department", "district", "other_district", "enterprise_a", "expert"])
def test_other_roles_cannot_read_the_audit_log(audited, role) -> None:
    persona = audited[role]
    with pytest.raises(PermissionDenied):
        list_audit(persona.actor)
    page = persona.client.get("/audit/")
    api = persona.client.get("/api/audit")
    assert (page.status_code, api.status_code) == (403, 403)
    assert "新一代视觉检测平台" not in page.content.decode() + api.content.decode()


@pytest.mark.django_db
def test_the_public_cannot_read_the_audit_log(audited) -> None:
    client = audited["anonymous"].client
    assert client.get("/audit/").status_code == 302
    assert client.get("/api/audit").status_code == 401


# --- permission coverage (in the manner of CKAN's coding-standards test) ------------------------

# Public functions that take an actor but perform no action: they compute what an actor may see or
# do, return nothing for actors without rights, and are called by guarded functions.
SCOPE_HELPERS = {
    "lianzhang.enterprises.services": {"visible_enterprises", "can_edit_enterprise"},
    "lianzhang.enterprises.project_services": {"visible_projects", "allowed_transitions"},
}


def service_modules() -> list[str]:
    """Dotted names of every services.py and *_services.py module in the package."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "services.py" or path.name.endswith("_services.py"):
            relative = path.relative_to(PACKAGE.parent).with_suffix("")
            names.append(".".join(relative.parts))
    return names


def actor_functions(module_name: str) -> dict[str, Callable]:
    """Public functions defined in the module whose first parameter is `actor`."""
    module = importlib.import_module(module_name)
    found = {}
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("_") or fn.__module__ != module_name:
            continue
        params = list(inspect.signature(fn).parameters)
        if params and params[0] == "actor":
            found[name] = fn
    return found


def test_service_modules_are_found() -> None:
    modules = service_modules()
    assert {
        "lianzhang.accounts.services",
        "lianzhang.enterprises.services",
        "lianzhang.enterprises.project_services",
        "lianzhang.regions.services",
    } <= set(modules)


@pytest.mark.parametrize("module_name", service_modules())
def test_every_public_service_function_with_an_actor_is_guarded(module_name) -> None:
    functions = actor_functions(module_name)
    helpers = SCOPE_HELPERS.get(module_name, set())
    unguarded = sorted(n for n, fn in functions.items() if not hasattr(fn, "permission") and n not in helpers)
    assert unguarded == [], f"{module_name}: add @guarded(...) to {', '.join(unguarded)}"
    for name, fn in functions.items():
        if hasattr(fn, "permission"):
            assert fn.permission in RULES, f"{module_name}.{name} uses unknown action {fn.permission!r}"


def test_scope_helper_list_names_only_existing_unguarded_functions() -> None:
    for module_name, names in SCOPE_HELPERS.items():
        functions = actor_functions(module_name)
        for name in names:
            assert name in functions, f"{module_name}.{name} is listed as a scope helper but does not exist"
            assert not hasattr(functions[name], "permission"), (
                f"{module_name}.{name} is guarded now: unlist it"
            )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["expert", "anonymous"])
def test_scope_helpers_give_nothing_to_actors_without_rights(personas, enterprise_a, role) -> None:
    actor = personas[role].actor
    project = enterprise_a.projects.get()
    assert not services.visible_enterprises(actor).exists()
    assert not project_services.visible_projects(actor).exists()
    assert services.can_edit_enterprise(actor, enterprise_a) is False
    assert project_services.allowed_transitions(actor, project) == []


PERMISSION_CALLS = {"guarded": 0, "require": 1, "allowed": 1}


def action_literals() -> list[tuple[str, int, str]]:
    """(file, line, action) for every literal action passed to guarded(), require() or allowed()."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            index = PERMISSION_CALLS.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((str(path.relative_to(PACKAGE)), node.lineno, arg.value))
    return found


def test_every_action_named_in_the_code_is_in_the_rules() -> None:
    literals = action_literals()
    assert len(literals) > 20  # the scan does see the service decorators and the views' checks
    unknown = [f"{file}:{line} {action!r}" for file, line, action in literals if action not in RULES]
    assert unknown == []


def test_guarded_refuses_an_action_missing_from_the_rules() -> None:
    with pytest.raises(KeyError, match=r"enterprise\.teleport"):
        guarded("enterprise.teleport")


def test_guarded_insists_on_an_actor_as_first_argument(enterprise_a) -> None:
    with pytest.raises(TypeError, match="Actor"):
        services.get_enterprise("chain", enterprise_a.pk)


# --- known gaps ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_user_refuses_an_unknown_region_with_a_field_error() -> None:
    try:
        with pytest.raises(ValidationError) as refused:
            create_user(SYSTEM, NewUser("ghost", PASSWORD, Role.DISTRICT, region_code="449999"))
        assert "region_code" in refused.value.message_dict
    finally:
        # Inside the test transaction the dangling row would otherwise fail the constraint check at teardown.
        get_user_model().objects.filter(username="ghost").delete()


# --- pure engines -------------------------------------------------------------------------------

PURE_MODULES = (
    "lianzhang.codes",
    "lianzhang.enterprises.tabular",
    "lianzhang.enterprises.records",
    "lianzhang.taxonomy",
    "lianzhang.regions.divisions",
    "lianzhang.demo.generator",
)


def test_pure_engine_modules_import_without_django() -> None:
    script = (
        "import sys\n"
        f"import {', '.join(PURE_MODULES)}\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "[]"


# --- settings -----------------------------------------------------------------------------------


def test_production_refuses_the_placeholder_secret() -> None:
    with pytest.raises(ConfigError, match="LIANZHANG_SECRET_KEY"):
        load_config({"LIANZHANG_ENV": "production"})
    with pytest.raises(ConfigError, match="LIANZHANG_SECRET_KEY"):
        load_config({"LIANZHANG_ENV": "production", "LIANZHANG_SECRET_KEY": PLACEHOLDER_SECRET})


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ConfigError, match="至少32个字符"):
        load_config({"LIANZHANG_ENV": "production", "LIANZHANG_SECRET_KEY": "x" * 31})


def test_production_accepts_a_long_secret() -> None:
    secret = "k3y-" + "q" * 60
    config = load_config({"LIANZHANG_ENV": "production", "LIANZHANG_SECRET_KEY": secret})
    assert config.is_production
    assert config.secret_key == secret
    assert config.debug is False


def test_production_refuses_debug() -> None:
    with pytest.raises(ConfigError, match="LIANZHANG_DEBUG"):
        load_config(
            {"LIANZHANG_ENV": "production", "LIANZHANG_SECRET_KEY": "s" * 40, "LIANZHANG_DEBUG": "true"}
        )


def test_development_accepts_the_placeholder_secret() -> None:
    assert load_config({}).secret_key == PLACEHOLDER_SECRET


def test_malformed_settings_are_refused_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match="LIANZHANG_MAX_UPLOAD_MB"):
        load_config({"LIANZHANG_MAX_UPLOAD_MB": "twenty"})
    with pytest.raises(ConfigError, match="LIANZHANG_ENV"):
        load_config({"LIANZHANG_ENV": "staging"})
