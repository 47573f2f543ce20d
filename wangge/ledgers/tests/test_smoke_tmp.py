import time
from wangge.ledgers import services
from wangge.ledgers.tests.conftest import *
from wangge.people.models import Person, ResidenceHistory

def test_it_smokes(world, tmp_path):
    rows = people_rows(10000)
    rows.append(person_row(20000, name="坏", **{"身份证号": id_number(20001)[:-1] + "0"}))
    p = write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, rows)
    job = make_job(world["worker_a"], p)
    t = time.time()
    job = services.run_import(job.pk)
    print("bad run", time.time() - t, job.state, job.error_count, job.error_message)
    print(report_rows(job))
    p = write_xlsx(tmp_path / "p2.xlsx", PEOPLE_HEADER, rows[:-1])
    job = make_job(world["worker_a"], p)
    t = time.time()
    job = services.run_import(job.pk)
    print("good run", time.time() - t, job.state, job.created_count, job.error_message)
    assert Person.objects.count() == 10000
    assert ResidenceHistory.objects.count() == 10000
    p0 = Person.objects.order_by("id").first()
    print(p0.name, p0.name_pinyin, p0.id_number, p0.phone, p0.birth_date, p0.gender)
