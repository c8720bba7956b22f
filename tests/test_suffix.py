"""Registrable domains as tldextract's public API gives them, private suffixes included."""
from __future__ import annotations

import random

import tldextract

from peizi_guard import builtin
from peizi_guard.matcher import check, build
from peizi_guard.normalise import split_url
from peizi_guard.matcher.suffix import registrable, split_host


def _extract():
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def test_same_split_as_tldextract_on_every_listed_host_and_private_suffixes():
    ext = _extract()
    hosts = {split_url(u)[0] for e in builtin.records() for u in e["urls"]} - {""}
    rnd = random.Random(4)
    suffixes = ["netlify.app", "github.io", "blogspot.com", "herokuapp.com", "com.cn", "gov.cn", "co.uk", "ck",
                "www.ck", "appspot.com", "vercel.app", "s3.amazonaws.com", "kawasaki.jp", "city.kawasaki.jp", "xyz"]
    hosts |= {f"{rnd.choice(['a', 'm.b', 'x.y.c'])}.{s}" for s in suffixes for _ in range(4)}
    assert len(hosts) > 250
    for host in sorted(hosts):
        r = ext(host)
        want = (r.subdomain, r.domain, r.suffix) if r.domain else ("", "", r.suffix)
        assert split_host(host) == want, host


def test_a_listed_site_on_a_shared_host_lists_that_site_only():
    rec = {"source": "test", "seq": 1, "name": "某某配资", "aliases": [], "urls": ["https://pz-demo.netlify.app/"],
           "domains": [], "apps": [], "companies": [], "region": ""}
    ix = build(builtin.records() + [rec])
    assert registrable("pz-demo.netlify.app") == "pz-demo.netlify.app"
    assert check(ix, "https://pz-demo.netlify.app/reg").verdict == "listed"
    assert check(ix, "https://my-blog.netlify.app/").verdict == "clear"
