"""An alert's area covers a hub when its polygon or circle holds the hub's point, or its SGC
geocodes name the hub's census subdivision, division or province; a hub with no location is
in no area."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hubbot.domain.cap import CapArea, CapInfo, Circle
from hubbot.domain.geo import (
    area_applies,
    distance_km,
    in_circle,
    info_applies,
    point_in_polygon,
    sgc_matches,
)

# The island of Montréal, roughly, as a CAP sender would draw it (lat, lon), closed.
ISLAND = (
    (45.7040, -73.4760),
    (45.6670, -73.5020),
    (45.5960, -73.5130),
    (45.5000, -73.5500),
    (45.4700, -73.5500),
    (45.4300, -73.6300),
    (45.4350, -73.6700),
    (45.4200, -73.8000),
    (45.4100, -73.9500),
    (45.4800, -73.9000),
    (45.5200, -73.7200),
    (45.5800, -73.6300),
    (45.6500, -73.5500),
    (45.7040, -73.4760),
)
DOWNTOWN = (45.5017, -73.5673)
PLATEAU = (45.5220, -73.5800)
LONGUEUIL = (45.5312, -73.5181)  # across the St. Lawrence
LAVAL = (45.6066, -73.7124)  # across the Rivière des Prairies
QUEBEC_CITY = (46.8139, -71.2080)
MONTREAL_SGC = "2466023"


@pytest.mark.parametrize("point", [DOWNTOWN, PLATEAU, (45.4500, -73.8500)])
def test_points_on_the_island_are_inside_its_polygon(point: tuple[float, float]) -> None:
    assert point_in_polygon(*point, ISLAND)


@pytest.mark.parametrize("point", [LONGUEUIL, LAVAL, QUEBEC_CITY, (45.3000, -73.6000)])
def test_points_off_the_island_are_outside_its_polygon(point: tuple[float, float]) -> None:
    assert not point_in_polygon(*point, ISLAND)


def test_a_point_on_the_boundary_counts_as_inside() -> None:
    assert point_in_polygon(45.5000, -73.5500, ISLAND)  # a corner
    assert point_in_polygon(45.4850, -73.5500, ISLAND)  # the middle of an edge


def test_an_open_ring_bounds_the_same_area_as_a_closed_one() -> None:
    open_ring = ISLAND[:-1]
    for point in (DOWNTOWN, LONGUEUIL, LAVAL):
        assert point_in_polygon(*point, open_ring) == point_in_polygon(*point, ISLAND)


def test_the_notch_of_a_u_shaped_area_is_outside_it() -> None:
    u_shape = ((0, 0), (0, 3), (3, 3), (3, 2), (1, 2), (1, 1), (3, 1), (3, 0), (0, 0))
    assert not point_in_polygon(2.0, 1.5, u_shape)
    assert point_in_polygon(0.5, 1.5, u_shape)
    assert point_in_polygon(2.0, 0.5, u_shape)


def test_distances_match_known_ones() -> None:
    assert distance_km(45.0, -73.0, 46.0, -73.0) == pytest.approx(111.195, abs=0.01)
    assert 230 < distance_km(*DOWNTOWN, *QUEBEC_CITY) < 237


def test_a_circle_holds_points_within_its_radius_only() -> None:
    ten_km = Circle(*DOWNTOWN, radius_km=10.0)
    assert in_circle(DOWNTOWN[0] + 0.08, DOWNTOWN[1], ten_km)  # 8.9 km north
    assert not in_circle(DOWNTOWN[0] + 0.10, DOWNTOWN[1], ten_km)  # 11.1 km north
    assert not in_circle(*LAVAL, Circle(*DOWNTOWN, radius_km=1.5))


@pytest.mark.parametrize("code", ["2466023", "2466", "24", " 2466023 "])
def test_an_sgc_code_matches_the_hub_or_its_division_or_province(code: str) -> None:
    assert sgc_matches(MONTREAL_SGC, [code])


@pytest.mark.parametrize("code", ["2465005", "2465", "35", "3506008", "246", "24660", "", "2x"])
def test_other_places_and_partial_codes_do_not_match(code: str) -> None:
    assert not sgc_matches(MONTREAL_SGC, [code])


def test_an_alert_for_one_subdivision_does_not_cover_a_hub_known_by_division_only() -> None:
    assert not sgc_matches("2466", ["2466023"])
    assert not sgc_matches("", ["24"])


def test_an_area_applies_by_polygon_circle_or_sgc_geocode() -> None:
    polygon = CapArea("Montréal", polygons=(ISLAND,))
    assert area_applies(polygon, *DOWNTOWN, None)
    assert not area_applies(polygon, *LONGUEUIL, MONTREAL_SGC)
    circle = CapArea("Montréal", circles=(Circle(*LONGUEUIL, radius_km=2.0),))
    assert area_applies(circle, *LONGUEUIL, None)
    coded = CapArea("Montréal", geocodes=(("profile:CAP-CP:Location:0.3", "24"),))
    assert area_applies(coded, None, None, MONTREAL_SGC)
    assert not area_applies(coded, *DOWNTOWN, "3506008")


def test_a_geocode_of_another_layer_is_no_sgc_code() -> None:
    clc = CapArea("Montréal", geocodes=(("layer:EC-MSC-SMC:1.0:CLC", MONTREAL_SGC),))
    assert not area_applies(clc, None, None, MONTREAL_SGC)


def test_a_hub_without_location_is_in_no_area() -> None:
    everywhere = CapArea(
        "Montréal",
        polygons=(((-89.0, -179.0), (89.0, -179.0), (89.0, 179.0), (-89.0, 179.0)),),
        circles=(Circle(*DOWNTOWN, radius_km=20_000.0),),
        geocodes=(("profile:CAP-CP:Location:0.3", "24"),),
    )
    assert not area_applies(everywhere, None, None, None)
    assert not area_applies(everywhere, None, None, "")
    assert area_applies(everywhere, *DOWNTOWN, None)


def test_a_block_applies_when_any_of_its_areas_does() -> None:
    info = CapInfo(
        language="en-CA",
        event="flood",
        urgency="Expected",
        severity="Severe",
        certainty="Likely",
        areas=(
            CapArea("Montréal", circles=(Circle(*QUEBEC_CITY, radius_km=5.0),)),
            CapArea("Montréal", polygons=(ISLAND,)),
        ),
    )
    assert info_applies(info, *PLATEAU, None)
    assert not info_applies(info, *LAVAL, None)
    assert not info_applies(replace(info, areas=()), *PLATEAU, MONTREAL_SGC)
