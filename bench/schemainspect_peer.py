#!/usr/bin/env python3
"""Times schemainspect (the introspection library migra uses) on a database.

    python3 bench/schemainspect_peer.py postgresql+psycopg2://postgres@127.0.0.1/db
Prints: tables=N indexes=N constraints=N seconds=S
"""
import sys
import time

from sqlalchemy import create_engine
from schemainspect import get_inspector


def main() -> None:
    engine = create_engine(sys.argv[1])
    start = time.perf_counter()
    with engine.connect() as conn:
        inspector = get_inspector(conn)
        counts = (len(inspector.tables), len(inspector.indexes), len(inspector.constraints))
    elapsed = time.perf_counter() - start
    print("tables=%d indexes=%d constraints=%d seconds=%.3f" % (*counts, elapsed))


if __name__ == "__main__":
    main()
