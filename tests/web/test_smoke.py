from incidents.models import Role


def test_headteacher_signs_in_and_sees_home(login_as, school):
    client = login_as(Role.HEADTEACHER)
    page = client.get("/").get_data(as_text=True)
    assert school.name in page
    assert "Record a disclosure or breach" in page
