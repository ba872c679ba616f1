"""The word lists of the duplicate measure (``similarity.py``): hotline boilerplate, the paraphrases
residents and operators use for one thing, the characters that name a defect, and the address
suffixes that mark a place. Kept small on purpose: each entry is general, not fitted to one demand."""

from __future__ import annotations

# Hotline and web-form boilerplate: who reported and that something is asked, never what the problem is.
BOILERPLATE: tuple[str, ...] = (
    "市民通过热线反映",
    "市民来电反映",
    "来电人反映",
    "来电人称",
    "诉求人反映",
    "诉求人称",
    "群众反映",
    "居民反映",
    "网友留言",
    "12345转办",
    "工单内容",
    "市民来电",
    "来电反映",
    "请相关部门",
    "希望相关部门",
    "相关部门",
    "反映",
    "希望",
    "要求",
    "请求",
    "建议",
    "尽快",
    "及时",
    "麻烦",
    "能不能",
    "可不可以",
    "请",
)

# Common paraphrases in these demands, spoken or written register, mapped to one form.
PARAPHRASES: dict[str, tuple[str, ...]] = {
    "路灯": ("街灯", "路等"),  # 路等: a frequent input-method slip
    "坑洼": ("坑坑洼洼", "坑槽", "大坑", "深坑"),
    "积水": ("内涝", "一片汪洋", "水淹", "被淹"),
    "堵塞": ("堵死", "堵住", "堵了"),
    "异味": ("臭味", "臭气", "发臭", "气味难闻", "味道大", "臭"),
    "噪音": ("噪声", "太吵", "吵得", "太大声", "声音太大"),
    "老旧小区": ("旧小区", "老小区"),
    "电梯": ("电悌",),
    "井盖": ("窨井盖",),
    "菜市场": ("农贸市场",),
    "宿舍": ("家属院", "家属区", "家属楼"),
    "公厕": ("公共厕所",),
    "长者饭堂": ("长者食堂", "老人食堂", "老年食堂"),
    "红绿灯": ("信号灯", "交通灯"),
    "公交": ("公交车", "公共汽车"),
    "儿童": ("小孩", "孩子", "小朋友"),
    "老人": ("老年人", "老头老太太", "长者"),
    "不足": ("太少", "不够", "偏少", "紧张"),
    "无": ("没有", "缺少", "未设置", "未配建", "未设"),
    "偏高": ("太贵", "过高"),
    "脱落": ("往下掉", "掉下来"),
    "倾斜": ("歪了", "往外歪"),
    "开裂": ("裂开", "裂了"),
    "关闭": ("锁着门", "不开门", "不开放"),
    "夜间": ("晚上", "半夜", "夜里"),
    "下雨": ("降雨", "雨天", "暴雨", "大雨"),
    "护栏": ("栏杆",),
    "监控": ("摄像头",),
    "电动车": ("电瓶车",),
}

# Characters that name a defect or a complaint: broken, leaking, blocked, smelly, noisy, dirty, missing,
# too few, too dear, cracked, sunk, leaning, fallen, dark, flickering, stolen, dangerous, hard, poor.
PROBLEM_CHARS = frozenset("坏破损漏堵塞味吵噪脏乱少缺无贵裂塌陷沉歪斜倒断掉落黑暗亮闪慢远挤满淹积停锁关偷盗危难差")

# Words that place a problem relative to a named place (the place part of the measure handles places).
LOCATION_WORDS: tuple[str, ...] = (
    "门口",
    "旁边",
    "附近",
    "后面",
    "边上",
    "里面",
    "对面",
    "周边",
    "那块",
    "那段",
    "这段",
    "一带",
    "那边",
    "这边",
)

# Function characters that mean nothing on their own; not counted as single-character terms.
FILLER_CHARS = frozenset("的了都就还也在是着把被给让吗呢啊吧呀个这那")

# Address suffixes. The one or two characters in front of a suffix are the place's name.
PLACE_SUFFIXES: tuple[str, ...] = (
    "卫生服务站",
    "卫生院",
    "卫生室",
    "敬老院",
    "幸福院",
    "菜市场",
    "幼儿园",
    "大道",
    "街道",
    "小区",
    "社区",
    "花园",
    "公园",
    "广场",
    "宿舍",
    "小学",
    "中学",
    "医院",
    "路",
    "街",
    "巷",
    "村",
    "苑",
    "镇",
    "湖",
)

# 路 that begins a word (路面, 路边, 路灯 …) does not end a road's name.
ROAD_WORD_STARTS = frozenset("面边灯况人过线段")
# A name never ends with these (马路, 那段路, 走路, 这条路, 的小区 …);
# a two-character name that starts with one keeps only its last character.
NOT_A_NAME = frozenset("马走修段条的绕这那一过个上公道们边近旁口头在到从往去")
GENERIC_NAMES = frozenset(
    {"老旧", "配套", "附近", "旁边", "门口", "我们", "周边", "辖区", "整个", "农村", "这个", "那个"}
)
