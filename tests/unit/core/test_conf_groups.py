"""An option group named like a [DEFAULT] option hides that option:
``CONF.debug`` returned a ``[debug]`` group (truthy), and every service
logged at DEBUG. No group may share a name with a [DEFAULT] option."""


def test_no_group_is_named_like_a_default_option(nimbus_conf):
    groups = set(nimbus_conf._groups)
    defaults = set(nimbus_conf._opts)
    assert groups & defaults == set()


def test_logging_is_not_debug_by_default(nimbus_conf):
    assert nimbus_conf.debug is False
