"""The administrator passwords nimbus makes up: Nova's length and
alphabet, every symbol used, none favoured."""

import collections

from nimbus.api.openstack import password


def test_passwords_have_novas_length_and_alphabet():
    made = {password.generate() for _ in range(200)}
    assert len(made) == 200
    for each in made:
        assert len(each) == password.LENGTH
        assert set(each) <= set(password._SYMBOLS)
    assert len(password.generate(40)) == 40


def test_every_symbol_is_drawn_about_equally_often():
    counts = collections.Counter("".join(
        password.generate(100) for _ in range(1140)))
    expected = 114000 / len(password._SYMBOLS)  # 2000 each
    assert set(counts) == set(password._SYMBOLS)
    # a symbol favoured by the byte mapping (5 of 256 values more) would
    # be drawn about 2,250 times; chance alone stays within +-200 (4.5
    # standard deviations)
    assert all(abs(n - expected) < 200 for n in counts.values()), counts
