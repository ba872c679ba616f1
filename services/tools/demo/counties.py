"""The demo's counties (with the size of each one's demo): the seven county-level areas of 江门市
(DOMAIN.md, seed 000 table 2)."""

from __future__ import annotations

COUNTIES: dict[str, dict] = {
    "440781": {
        "name": "台山市",
        "demo": {"demands": 90, "tickets": 60, "micro": 3},
        "towns": [
            "台城街道",
            "大江镇",
            "水步镇",
            "四九镇",
            "白沙镇",
            "三合镇",
            "冲蒌镇",
            "斗山镇",
            "都斛镇",
            "赤溪镇",
            "端芬镇",
            "广海镇",
            "海宴镇",
            "汶村镇",
            "深井镇",
            "北陡镇",
            "川岛镇",
        ],
    },
    "440703": {
        "name": "蓬江区",
        "demo": {"demands": 40, "tickets": 20, "micro": 2},
        "towns": ["环市街道", "潮连街道", "棠下镇", "荷塘镇", "杜阮镇", "白沙街道"],
    },
    "440704": {
        "name": "江海区",
        "demo": {"demands": 20, "tickets": 10, "micro": 1},
        "towns": ["外海街道", "礼乐街道", "江南街道"],
    },
    "440705": {
        "name": "新会区",
        "demo": {"demands": 50, "tickets": 30, "micro": 2},
        "towns": ["会城街道", "大泽镇", "司前镇", "罗坑镇", "双水镇", "崖门镇", "沙堆镇"],
    },
    "440783": {
        "name": "开平市",
        "demo": {"demands": 40, "tickets": 20, "micro": 2},
        "towns": ["长沙街道", "三埠街道", "月山镇", "水口镇", "沙塘镇", "苍城镇"],
    },
    "440784": {
        "name": "鹤山市",
        "demo": {"demands": 30, "tickets": 15, "micro": 2},
        "towns": ["沙坪街道", "龙口镇", "雅瑶镇", "古劳镇", "桃源镇", "共和镇"],
    },
    "440785": {
        "name": "恩平市",
        "demo": {"demands": 25, "tickets": 10, "micro": 1},
        "towns": ["恩城街道", "横陂镇", "圣堂镇", "良西镇", "沙湖镇", "牛江镇"],
    },
}


def towns_of(county: str) -> list[str]:
    return COUNTIES.get(county, {"towns": ["城区"]})["towns"]
