"""Download names: pure name building (shinchoku.core.filenames) and the header helper."""

from urllib.parse import unquote

from shinchoku.audit.middleware import download_name as name_in_header
from shinchoku.core.filenames import ascii_fallback, download_name, plan_fy_name, safe_part
from shinchoku.downloads import disposition

TITLE = "第四次西東京市地域福祉計画アクションプラン"


def test_plan_fy_name_is_japanese_with_wareki_fy():
    assert plan_fy_name(TITLE, 2019, "委員会資料", "pdf") == f"{TITLE}_令和元年度_委員会資料.pdf"
    assert plan_fy_name(TITLE, None, "最終評価報告書", "xlsx") == f"{TITLE}_最終評価報告書.xlsx"
    assert (
        plan_fy_name(TITLE, 2023, "調査票", "xlsx", "福祉課")
        == f"{TITLE}_令和5年度_調査票_福祉課.xlsx"
    )


def test_unsafe_characters_and_spaces_are_replaced():
    assert safe_part('a/b\\c:d*e?f"g<h>i|j') == "a_b_c_d_e_f_g_h_i_j"
    assert safe_part("  計画　名 ") == "計画_名"
    assert safe_part("..hidden.") == "hidden"
    assert download_name("", None, "x", ext="csv") == "x.csv"
    assert download_name(ext="pdf") == "download.pdf"


def test_long_names_are_shortened():
    name = download_name("長" * 300, ext="pdf")
    assert name.endswith("…" + ".pdf") and len(name) <= 125


def test_ascii_fallback():
    assert ascii_fallback(f"{TITLE}_令和元年度_委員会資料.pdf") == "download.pdf"
    assert ascii_fallback("plan-2019_report.xlsx") == "plan-2019_report.xlsx"
    assert ascii_fallback("計画_ＡＢＣ 2019.csv") == "ABC_2019.csv"


def test_disposition_has_rfc5987_name_and_ascii_fallback():
    name = f"{TITLE}_令和元年度_委員会資料.pdf"
    header = disposition(name, fallback="nishitokyo_2019_report")
    assert header.startswith('attachment; filename="nishitokyo_2019_report.pdf"; ')
    assert "filename*=UTF-8''" in header
    assert unquote(header.split("UTF-8''")[1]) == name
    assert disposition("a b.csv", inline=True).startswith('inline; filename="a_b.csv"')


def test_audit_middleware_reads_the_utf8_name():
    name = f"{TITLE}_令和元年度_委員会資料.pdf"
    assert name_in_header(disposition(name, fallback="x")) == name
    assert name_in_header(disposition("職員名簿;本部.xlsx")) == "職員名簿;本部.xlsx"
    assert name_in_header('attachment; filename="old.csv"') == "old.csv"
