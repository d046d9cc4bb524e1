from shinchoku.reports.pdf import lean_cells


def test_a_cells_lone_span_goes_into_the_cell():
    html = (
        '<td class="val strong"><span class="nb">1回</span></td>'
        '<td><span class="none">―</span></td>'
        '<td class="val"><span class="nb">6,700回</span></td>'
    )
    assert lean_cells(html) == (
        '<td class="val strong nb">1回</td><td class="none">―</td><td class="val nb">6,700回</td>'
    )


def test_cells_with_more_than_one_span_or_other_classes_stay():
    html = (
        '<td class="val">824件 <span class="nb">(*1)</span></td>'
        '<td class="num"><span class="nb">1</span></td>'
        '<td><span class="none">―</span><small>x</small></td>'
    )
    assert lean_cells(html) == html
