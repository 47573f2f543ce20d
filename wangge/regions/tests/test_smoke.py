from wangge.testing import GRID_A, GRID_B


def test_it_lists_only_own_grid_for_a_worker(api, world):
    response = api("worker_a").get("/api/v1/regions?type=grid")
    assert response.status_code == 200, response.content
    codes = [item["code"] for item in response.json()["items"]]
    assert codes == [GRID_A]
    assert api("worker_a").get(f"/api/v1/regions/{GRID_B}").status_code == 404
