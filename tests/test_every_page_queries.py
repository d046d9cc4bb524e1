"""Every page reads what it shows in a few queries (issue 16): at most 12, the item page 8.

The pages are those of tests/test_every_page_language.py (one case per named URL, with real demo
objects, as the role that opens it), each requested once to warm up and once counted, in a
transaction rolled back after it. The count includes what every signed-in page pays before the
view: the session and the user (with the membership and the unread count, one query).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_every_page_language import CASES, FORM_DATA, POST_ONLY, QUERY, build_scene

LIMIT = 12
LIMITS = {"plans:node": 8}  # the item page


def test_every_page_reads_in_a_few_queries(db) -> None:
    scene = build_scene()
    counts: dict[str, tuple[int, str]] = {}
    for name, case in CASES.items():
        for who, args in case(scene):
            client = scene.clients[who]
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
            url = reverse(name, args=args)
            query = QUERY[name](scene, args) if name in QUERY else {}
            with transaction.atomic():
                for _ in range(2):  # warm up, then count
                    # The file a form is sent with is made before counting: its making reads
                    # the database (the register's workbook), the page does not.
                    post = FORM_DATA[name]() if name in FORM_DATA else {}
                    with CaptureQueriesContext(connection) as queries:
                        if name in POST_ONLY:
                            path = f"{url}?{urlencode(query)}" if query else url
                            response = client.post(path, post)
                        else:
                            response = client.get(url, query)
                transaction.set_rollback(True)
            assert response.status_code < 500, f"{url} as {who}: {response.status_code}"
            n = len(queries)
            if n > counts.get(name, (-1, ""))[0]:
                counts[name] = (n, f"{url} as {who}")
    over = {
        name: f"{n} queries ({where})"
        for name, (n, where) in counts.items()
        if n > LIMITS.get(name, LIMIT)
    }
    assert over == {}, "pages over the limit:\n" + "\n".join(
        f"  {name}: {said}" for name, said in sorted(over.items())
    )
