"""The table of Compute API microversions and the maximum it gives."""

from nimbus.api.openstack import history, microversion


def test_every_version_from_2_1_to_2_96_is_listed_once():
    versions = [c.version for c in history.CHANGES]
    assert versions == [(2, minor) for minor in range(1, 97)]
    assert all(c.summary.strip() for c in history.CHANGES)


def test_the_maximum_is_the_end_of_the_served_run():
    assert microversion.MAX_VERSION == history.max_version()
    served = {c.version: c.served for c in history.CHANGES}
    top = history.max_version()
    for minor in range(1, top[1] + 1):
        assert served[(2, minor)] or (2, minor) in history.KNOWN_GAPS
    following = (2, top[1] + 1)
    if following in served:
        assert not served[following] and following not in history.KNOWN_GAPS
    else:
        # every version Nova has is served: the maximum is the last one
        assert top == history.CHANGES[-1].version


def test_an_unserved_version_ends_the_run(monkeypatch):
    changes = [c._replace(served=False) if c.version == (2, 50) else c
               for c in history.CHANGES]
    monkeypatch.setattr(history, "CHANGES", tuple(changes))
    assert history.max_version() == (2, 49)


def test_known_gaps_stay_below_the_maximum():
    assert all(gap < history.max_version() for gap in history.KNOWN_GAPS)
    assert not any(history.CHANGES[g[1] - 1].served
                   for g in history.KNOWN_GAPS)


def test_one_more_served_version_moves_the_maximum(monkeypatch):
    # the run ends before 2.90 once 2.90 is taken away; serving it again
    # moves the maximum back past it
    monkeypatch.setattr(history, "CHANGES", tuple(
        c._replace(served=False) if c.version >= (2, 90) else c
        for c in history.CHANGES))
    top = history.max_version()
    assert top == (2, 89)
    changes = [c._replace(served=True) if c.version == (2, top[1] + 1)
               else c for c in history.CHANGES]
    monkeypatch.setattr(history, "CHANGES", tuple(changes))
    assert history.max_version() > top
