from shinchoku.core.years import pick_fy


def test_no_year_gives_none():
    assert pick_fy([], [], None) is None
    assert pick_fy([], [2020], 2020) is None


def test_latest_year_with_data_wins_over_a_newer_empty_year():
    assert pick_fy([2019, 2020, 2021], {2019, 2020}) == 2020


def test_latest_year_when_none_has_data():
    assert pick_fy([2021, 2019, 2020], set()) == 2021


def test_data_outside_the_years_is_ignored():
    assert pick_fy([2019, 2020], {2018, 2022}) == 2020


def test_the_users_choice_is_kept_when_it_is_one_of_the_years():
    assert pick_fy([2019, 2020, 2021], {2020}, chosen=2021) == 2021
    assert pick_fy([2019, 2020, 2021], {2020}, chosen=2019) == 2019


def test_an_unknown_choice_falls_back():
    assert pick_fy([2019, 2020, 2021], {2020}, chosen=2030) == 2020
