"""Public downloads are named in Japanese too (see tests/test_download_names.py)."""

from __future__ import annotations

from tests.test_download_names import ACTION, CITY, names, title


def test_public_csv_json_and_summary_are_named_in_japanese(anonymous):
    from django.contrib.auth import get_user_model

    from tests.public.rounds import published_round

    published_round(ACTION, 2019, get_user_model().objects.create_user("dl-publisher"))
    fallback, name = names(anonymous.get(f"/public/{CITY}/data.csv"))
    assert name == f"{title(CITY)}_公開データ.csv" and fallback == f"{CITY}.csv"
    response = anonymous.get(f"/public/{CITY}/data.json")
    if response.status_code == 200:
        assert names(response)[1] == f"{title(CITY)}_公開データ.json"
        assert response["Content-Disposition"].startswith("inline;")
    summary = anonymous.get(f"/public/{ACTION}/2019/summary.pdf")
    assert summary.status_code == 200
    fallback, name = names(summary)
    assert name == f"{title(ACTION)}_令和元年度_概要版.pdf"
    assert fallback == f"{ACTION}-2019-summary.pdf"
