"""Built-in primitive sets. Each submodule is one set, loaded by ``Registry.default()``.

- ``lists``: token lists, for SCAN and PCFG SET (set name ``list``).
- ``naturals``: naturals from zero, for HINT (set name ``nat``), with the ``fix`` form.
- ``arith``: native arithmetic (set name ``arith``), only as a declared prior.
"""
