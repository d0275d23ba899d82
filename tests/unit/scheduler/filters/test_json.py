import json

from tests.unit.scheduler import fakes


def _spec(query):
    return fakes.spec(hints={"query": json.dumps(query)})


def test_query(load_filter):
    flt = load_filter("json")
    big = fakes.host(memory_mb=65536, cpu_info={"arch": "x86_64"})
    small = fakes.host(memory_mb=1024)
    query = ["and", [">=", "$free_ram_mb", 4096],
             ["in", "$cpu_info.arch", "x86_64", "i686"]]
    assert flt.host_passes(big, _spec(query))
    assert not flt.host_passes(small, _spec(query))
    assert flt.host_passes(small, _spec(["not", [">", "$free_ram_mb",
                                                 4096]]))


def test_malformed_query_rejects(load_filter):
    flt = load_filter("json")
    assert not flt.host_passes(fakes.host(), fakes.spec(
        hints={"query": "[not json"}))
    assert not flt.host_passes(fakes.host(), _spec(["nope", 1]))
    assert not flt.applies(fakes.spec())
