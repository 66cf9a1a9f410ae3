"""Synthetic building blocks: names, places and document-number abbreviations (identifiers: `ids`; the
units' decisions: `templates`). Everything here is invented; no real person or company is meant."""

from __future__ import annotations

import random

SURNAMES = list(
    "陈陈陈李李黄黄林林吴王王蔡梁梁何莫邓杨郑谢周洪许符庞冯唐詹揭薛钟罗邱欧颜柯戴曾宋朱刘张叶骆彭龚麦"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰海燕志文辉建国红梅俊峰晓婷小雪春生德荣锦坤"
    "振兴家宝金凤思远雨欣子豪浩然嘉怡梓轩诗琪紫涵宇航泽宏少聪亚珍永福水清月娥达旺康乐嘉诚"
)
RARE_GIVEN = "䶮"  # in GB 18030 but not in GBK: forces the gb18030 fallback of a GBK file

TRADE_NAMES = [
    "恒通",
    "海联",
    "南粤",
    "雷盛",
    "鸿发",
    "金海",
    "粤西",
    "信达",
    "华康",
    "兴旺",
    "湛发",
    "安达",
    "利源",
    "泰和",
    "东兴",
    "广益",
    "裕丰",
    "宏达",
    "乐民",
    "新港",
    "天成",
    "锦绣",
    "博文",
    "顺昌",
    "嘉禾",
    "红土",
    "半岛",
    "雷阳",
    "福康",
    "宏图",
    "盛源",
    "汇丰",
    "明珠",
    "海湾",
    "绿洲",
    "阳光",
    "润田",
    "晨光",
    "百川",
    "万家",
]
INDUSTRIES = [
    "贸易",
    "建筑工程",
    "食品",
    "农业发展",
    "水产养殖",
    "物流",
    "餐饮管理",
    "五金建材",
    "医药",
    "汽车服务",
    "房地产开发",
    "电子科技",
    "文化传媒",
    "劳务服务",
    "环保科技",
    "糖业",
    "旅游开发",
    "商贸",
    "农资",
    "供应链管理",
]
SHOPS = [
    "便利店",
    "水果店",
    "五金店",
    "餐馆",
    "粉店",
    "药店",
    "理发店",
    "烟酒店",
    "农资店",
    "电器店",
    "汽车修理店",
    "日用品店",
    "早餐店",
    "海鲜档",
    "茶庄",
]
PLACES = [
    "雷城",
    "西湖",
    "新城",
    "附城",
    "白沙",
    "沈塘",
    "客路",
    "杨家",
    "唐家",
    "企水",
    "纪家",
    "松竹",
    "南兴",
    "雷高",
    "东里",
    "调风",
    "龙门",
    "英利",
    "北和",
    "乌石",
    "覃斗",
]
CROPS = ["菠萝", "番薯", "火龙果", "香蕉", "甘蔗", "蔬菜", "黑山羊", "水产"]
STREETS = [
    "雷州大道",
    "新城大道",
    "广场路",
    "曲街",
    "南亭路",
    "西湖大道",
    "环城路",
    "雷高路",
    "北和路",
    "人民路",
]

# Region codes of ID numbers: mostly 雷州 itself, then the rest of 湛江 and a few from elsewhere.

# Abbreviations used in document numbers (雷市监罚〔2026〕12号).
ABBR = {
    "dag": "雷档",
    "xcb": "雷宣",
    "bb": "雷编",
    "tzb": "雷统战",
    "fgj": "雷发改",
    "kgm": "雷科工贸",
    "swj": "雷水务",
    "jyj": "雷教",
    "gaj": "雷公（治）",
    "mzj": "雷民",
    "sfj": "雷司",
    "czj": "雷财",
    "rsj": "雷人社",
    "sjj": "雷审",
    "zrzyj": "雷自然资源",
    "zjj": "雷住建",
    "yjj": "雷应急",
    "nyj": "雷农",
    "wglj": "雷文广旅体",
    "wjj": "雷卫健",
    "scjgj": "雷市监",
    "cgj": "雷城管执法",
    "swuj": "雷税",
    "tjj": "雷统",
    "ybj": "雷医保",
    "sthj": "湛环雷",
    "qxj": "雷气",
    "xfdd": "雷消",
}


def person_name(rnd: random.Random, rare: bool = False) -> str:
    given = "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))
    if rare:
        given = given[:-1] + RARE_GIVEN
    return rnd.choice(SURNAMES) + given


def company_name(rnd: random.Random, prefix: str) -> str:
    trade = rnd.choice(TRADE_NAMES)
    if prefix == "12":
        return rnd.choice(
            [
                f"雷州市{rnd.choice(PLACES)}镇中心小学",
                f"雷州市{rnd.choice(PLACES)}卫生院",
                "雷州市第三人民医院",
            ]
        )
    if prefix == "52":
        return f"雷州市{trade}{rnd.choice(['培训学校', '幼儿园', '养老院'])}"
    if prefix == "51":
        return f"雷州市{rnd.choice(INDUSTRIES)}协会"
    if prefix == "93":
        return f"雷州市{rnd.choice(PLACES)}{rnd.choice(CROPS)}种养专业合作社"
    form = rnd.random()
    if form < 0.75:
        return f"雷州市{trade}{rnd.choice(INDUSTRIES)}有限公司"
    if form < 0.9:
        return f"湛江市{trade}{rnd.choice(INDUSTRIES)}有限责任公司"
    return f"广东{trade}{rnd.choice(INDUSTRIES)}有限公司雷州分公司"


def shop_name(rnd: random.Random, owner: str) -> str:
    place = rnd.choice(PLACES)
    form = rnd.random()
    if form < 0.4:
        return f"雷州市{place}{owner[0]}记{rnd.choice(SHOPS)}"
    if form < 0.8:
        return f"雷州市{place}{rnd.choice(TRADE_NAMES)}{rnd.choice(SHOPS)}"
    return f"雷州市{place}镇{owner}个体户"
