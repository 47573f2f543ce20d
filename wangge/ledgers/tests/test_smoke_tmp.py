import time, cProfile, pstats
from wangge.ledgers import services
from wangge.ledgers.tests.conftest import *
from wangge.people.models import Person, ResidenceHistory

def test_it_smokes(world, tmp_path):
    rows = people_rows(10000)
    p = write_xlsx(tmp_path / "p2.xlsx", PEOPLE_HEADER, rows)
    job = make_job(world["worker_a"], p)
    t = time.time()
    pr = cProfile.Profile(); pr.enable()
    job = services.run_import(job.pk)
    pr.disable()
    print("good run", time.time() - t, job.state, job.created_count, job.error_message)
    pstats.Stats(pr).sort_stats("cumtime").print_stats(30)
