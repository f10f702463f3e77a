def test_landing_page_shows_tiers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "¥199" in response.get_data(as_text=True)
