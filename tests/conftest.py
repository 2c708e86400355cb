"""Persona fixtures: every test's data is made through the service layer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from lianzhang.accounts.models import Department, Role
from lianzhang.accounts.permissions import SYSTEM, Actor, actor_for
from lianzhang.accounts.services import NewUser, create_user
from lianzhang.codes import make_credit_code
from lianzhang.enterprises import services
from lianzhang.enterprises.project_services import ProjectInput, create_project
from lianzhang.enterprises.records import EnterpriseRecord, YearFigures

PASSWORD = "persona-password-1"
# Every persona of the `personas` fixture, in the order of the per-page status tables of the page tests.
PERSONA_ORDER = (
    "anonymous",
    "chain_office",
    "department",
    "district",
    "other_district",
    "enterprise_a",
    "enterprise_b",
    "expert",
    "admin",
)
HOME_DISTRICT = "440106"  # 天河区
OTHER_DISTRICT = "440111"  # 白云区


def credit_code(county: str, serial: int) -> str:
    """A valid credit code registered in the given county."""
    return make_credit_code(f"91{county}MA{serial:07d}")


def enterprise_record(name: str, division: str, serial: int, **extra) -> EnterpriseRecord:
    """A plausible enterprise record for tests."""
    defaults = dict(
        business_scope="一般项目：人工智能应用软件开发；计算机视觉系统集成。",
        products="视觉检测平台",
        tags=["高新技术企业"],
        figures=[
            YearFigures(
                year=2024, revenue_fen=5_000_000_00, rd_spend_fen=800_000_00, employees=120, patents=9
            )
        ],
    )
    defaults.update(extra)
    return EnterpriseRecord(
        credit_code=credit_code(division[:6], serial), name=name, division_code=division, **defaults
    )


@dataclass
class Persona:
    """A logged-in user of one role, with its actor and a test client."""

    username: str
    actor: Actor
    client: Client


@pytest.fixture
def enterprise_a(db):
    """An AI enterprise in the home district (天河区), with one project."""
    enterprise = services.create_enterprise(SYSTEM, enterprise_record("甲视觉科技有限公司", "440106001", 1))
    create_project(SYSTEM, ProjectInput(enterprise.pk, "视觉质检产业化", "industrialisation", 300_000_000))
    return enterprise


@pytest.fixture
def enterprise_b(db):
    """An enterprise in another district (白云区)."""
    enterprise = services.create_enterprise(SYSTEM, enterprise_record("乙智能装备有限公司", "440111002", 2))
    create_project(SYSTEM, ProjectInput(enterprise.pk, "伺服系统研发", "rnd", 120_000_000))
    return enterprise


@pytest.fixture
def department(db):
    """广州市科学技术局."""
    return Department.objects.create(name="广州市科学技术局", short_name="市科技局", city_id="4401")


def _persona(username: str, **fields) -> Persona:
    user = create_user(SYSTEM, NewUser(username=username, password=PASSWORD, **fields))
    user = get_user_model().objects.get(pk=user.pk)
    client = Client()
    client.force_login(user)
    return Persona(username, actor_for(user), client)


@pytest.fixture
def personas(db, enterprise_a, enterprise_b, department):
    """One persona per role, plus a district officer of another district and a second enterprise."""
    result = {
        "chain_office": _persona("chain", role=Role.CHAIN_OFFICE),
        "department": _persona("dept", role=Role.DEPARTMENT, department_id=department.pk),
        "district": _persona("district", role=Role.DISTRICT, region_code=HOME_DISTRICT),
        "other_district": _persona("district2", role=Role.DISTRICT, region_code=OTHER_DISTRICT),
        "enterprise_a": _persona("ent_a", role=Role.ENTERPRISE, enterprise_id=enterprise_a.pk),
        "enterprise_b": _persona("ent_b", role=Role.ENTERPRISE, enterprise_id=enterprise_b.pk),
        "expert": _persona("expert", role=Role.EXPERT),
        "admin": _persona("admin", role=Role.ADMIN),
    }
    result["anonymous"] = Persona("", actor_for(None), Client())
    return result


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Real hashing costs ~0.3 s a user; tests create hundreds of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _open_data_in_tmp(settings, tmp_path_factory) -> None:
    """Open-data files (uploads, releases, keys) of a test go to a temporary folder, never to var/."""
    settings.OPENDATA_DIR = str(tmp_path_factory.mktemp("opendata"))
