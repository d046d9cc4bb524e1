"""Browsing tests in this folder read as a federation operator, who may see every plan.

Who may see and change what is tested on its own in tests/plans/test_permissions.py.
"""

import pytest

from tests.conftest import login_client


@pytest.fixture
def client(db):
    return login_client("reader", superuser=True)
