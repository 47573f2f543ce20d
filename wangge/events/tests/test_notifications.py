from wangge.events.notifications import event_changed

from .conftest import act, ok, report


def test_it_notifies_only_after_commit(ew, client_for, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, **kwargs):
        received.append((kwargs["event_id"], kwargs["action"]))

    event_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            event_id = ok(report(client_for("worker_a")), 201)["id"]
        assert received == [] and len(callbacks) == 1
        callbacks[0]()
        assert received == [(event_id, "report")]
        with django_capture_on_commit_callbacks(execute=True):
            ok(act(client_for("street"), event_id, "register"))
            assert act(client_for("street"), event_id, "register").status_code == 409
        assert received[-1] == (event_id, "register") and len(received) == 2
    finally:
        event_changed.disconnect(receiver)
