def test_pages_render(client, login, member, operator, make_question, make_answer):
    question = make_question(author=member)
    make_answer(question)
    for user in (None, member, operator):
        if user:
            login(client, user)
        for url in (
            "/qa/",
            "/qa/unanswered",
            "/qa/featured",
            "/qa/hot",
            "/qa/tags/",
            f"/qa/{question.id}",
            f"/qa/{question.id}.json",
            "/qa/tags/信用卡",
        ):
            response = client.get(url)
            assert response.status_code == 200, (url, response.get_data(as_text=True)[:2000])
    for url in (
        "/qa/review",
        "/qa/manage/tags",
        "/qa/reports/duplicates",
        f"/qa/{question.id}/revisions",
        "/qa/notifications",
        "/qa/mine",
        "/qa/followed",
        "/qa/ask",
        "/account/feeds",
        f"/qa/{question.id}/edit",
        f"/qa/{question.id}/merge",
        "/qa/experts/queue",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:3000])
