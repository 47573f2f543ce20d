"""The classifier itself: clear texts, held-out accuracy vs the keyword baseline, determinism."""

from __future__ import annotations

import random

from wangge.events.catalogue import category_rows
from wangge.triage.classifier import Classifier, KeywordBaseline, evaluate
from wangge.triage.examples import EXAMPLES, HOLDOUT_EVERY, split
from wangge.triage.text import features, words

NAMES = {r["code"]: r["name"] for r in category_rows() if r["parent"] is not None}
CODE = {name: code for code, name in NAMES.items()}


def trained() -> Classifier:
    return Classifier.train(split()[0])


def test_every_sub_category_has_examples_and_the_split_holds_some_out() -> None:
    assert set(EXAMPLES) == set(NAMES.values())
    assert all(len(texts) >= 15 for texts in EXAMPLES.values())
    training, held_out = split()
    assert len(held_out) == sum(len(t) // HOLDOUT_EVERY for t in EXAMPLES.values())
    # No held-out text is in the training part.
    assert not {t for _, t in held_out} & {t for _, t in training}
    assert EXAMPLES["井盖破损/松动"][HOLDOUT_EVERY - 1] in {t for _, t in held_out}


def test_user_dictionary_keeps_domain_terms_whole() -> None:
    assert "占道经营" in words("小区门口有人占道经营")
    assert "飞线充电" in words("楼上有人飞线充电")
    assert "消防通道" in words("消防通道被堵死了")
    f = features("井盖松动")
    assert "w:井盖" in f and "c:盖松" in f and "b:井盖_松动" in f


def test_clear_texts_get_the_right_category_first() -> None:
    model = trained()
    cases = {
        "井盖松动": "井盖破损/松动",
        "小区门口有人占道经营": "占道经营",
        "楼道里有人飞线充电": "电动车违规充电",
        "消防通道被车堵了": "消防通道堵塞",
        "闻到很浓的煤气味": "燃气泄漏",
        "晚上工地打桩太吵了": "施工扰民",
    }
    for text, name in cases.items():
        top = model.top(text)
        assert top[0].code == CODE[name], (text, [NAMES[s.code] for s in top])
        assert len(top) == 3
        assert top[0].probability > top[1].probability
        assert 0.99 < sum(s.probability for s in model.scores(text)) < 1.01


def test_the_model_beats_the_keyword_baseline_on_held_out_examples() -> None:
    training, held_out = split()
    model = Classifier.train(training)
    baseline = KeywordBaseline.train(NAMES, training)
    m, b = evaluate(model, held_out), evaluate(baseline, held_out)
    assert m.total == b.total == len(held_out) > 100
    assert m.top1 > b.top1
    assert m.top3 > b.top3
    assert m.top1_rate >= 0.6 and m.top3_rate >= 0.75


def test_baseline_keywords_and_ties_follow_the_catalogue() -> None:
    baseline = KeywordBaseline.train(NAMES, split()[0])
    assert "井盖" in baseline.keywords[CODE["井盖破损/松动"]]
    assert "占道经营" in baseline.keywords[CODE["占道经营"]]
    assert baseline.top("井盖松动")[0].code == CODE["井盖破损/松动"]
    assert baseline.top("今天天气不错") == []


def test_training_is_deterministic_whatever_the_order() -> None:
    training = split()[0]
    shuffled = list(training)
    random.Random(7).shuffle(shuffled)
    a, b = Classifier.train(training).to_bytes(), Classifier.train(shuffled).to_bytes()
    assert a == b
    again = Classifier.from_bytes(a)
    assert again.to_bytes() == a
    text = "路边的垃圾桶坏了"
    assert again.top(text) == Classifier.train(training).top(text)


def test_unknown_text_gives_no_suggestion() -> None:
    assert trained().top("zzzz qqqq") == []
