"""A node's number and title said once: no 「基本目標 基本目標１」, no stray 「・」 or space."""

from shinchoku.core.node_names import level_heading, node_name, shown_label


def test_a_bare_bullet_is_no_number():
    assert shown_label("・") == "" and shown_label(" ") == "" and shown_label("") == ""
    assert shown_label(" 基本目標１ ") == "基本目標１"
    assert node_name("・", "福祉教育・啓発の充実") == "福祉教育・啓発の充実"
    assert node_name("", " 防災対策の充実") == "防災対策の充実"
    assert node_name("基本目標１", "一人一人が活躍する地域づくり") == (
        "基本目標１ 一人一人が活躍する地域づくり"
    )


def test_the_level_name_is_said_once():
    assert level_heading("基本目標", "基本目標１") == "基本目標１"
    assert level_heading("基本目標", "1") == "基本目標 1"
    assert level_heading("施策の方向", "・") == "施策の方向"
    assert level_heading("", "(1)") == "(1)"
