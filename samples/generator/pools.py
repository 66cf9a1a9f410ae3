"""Synthetic building blocks: names, places, identifiers and per-unit decision templates.

Everything here is invented. Identifiers are computed so that they pass GB 32100 / GB 11643 (or fail them on
purpose when a defect is planted); no real person or company is meant.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np

from credit.identifiers import (
    RIC_CHECK,
    RIC_WEIGHTS,
    USCC_ALPHABET,
    USCC_WEIGHTS,
    ric_check_char,
    uscc_check_char,
)

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
RIC_REGIONS = (
    ["440882"] * 12
    + ["440881", "440883", "440803", "440804", "440811", "440823", "440825"]
    + [
        "440106",
        "450102",
        "460100",
    ]
)

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

# ---------------------------------------------------------------- decision templates
# 行政许可: (decision_doc_name, license_name, permit_category, item, validity years (0 = 长期), permit_no prefix)
PERMITS: dict[str, list[tuple[str, str, str, str, int, str]]] = {
    "scjgj": [
        (
            "食品经营许可决定书",
            "食品经营许可证",
            "普通",
            "预包装食品（含冷藏冷冻食品）销售，散装食品销售",
            5,
            "JY1440882",
        ),
        ("准予设立登记通知书", "营业执照", "登记", "设立登记", 0, "440882"),
        ("食品小作坊登记决定书", "食品小作坊登记证", "登记", "糕点类食品生产加工", 3, "XZF440882"),
    ],
    "zjj": [
        ("建筑工程施工许可决定书", "建筑工程施工许可证", "普通", "新建住宅楼工程施工", 0, "440882"),
        ("商品房预售许可决定书", "商品房预售许可证", "特许", "商品房预售", 0, "雷房预"),
    ],
    "wjj": [
        (
            "公共场所卫生许可决定书",
            "公共场所卫生许可证",
            "普通",
            "住宿、美容美发场所卫生许可",
            4,
            "粤卫公证字",
        ),
        ("医疗机构执业许可决定书", "医疗机构执业许可证", "普通", "诊所执业登记", 5, "PDY"),
    ],
    "jyj": [("民办学校办学许可决定书", "民办学校办学许可证", "普通", "民办幼儿园办学许可", 5, "教民")],
    "nyj": [
        ("农药经营许可决定书", "农药经营许可证", "普通", "农药经营（不含限制使用农药）", 5, "农药经许"),
        (
            "动物防疫条件审查决定书",
            "动物防疫条件合格证",
            "核准",
            "养殖场动物防疫条件审查",
            0,
            "（雷）动防合字",
        ),
    ],
    "wglj": [
        ("娱乐场所经营许可决定书", "娱乐经营许可证", "普通", "歌舞娱乐场所经营", 2, "440882"),
        ("网络文化经营许可决定书", "网络文化经营许可证", "普通", "互联网上网服务营业场所经营", 3, "粤网文"),
    ],
    "swj": [("取水许可决定书", "取水许可证", "普通", "农业灌溉及生活取水", 5, "取水（雷）字")],
    "zrzyj": [
        ("建设用地规划许可决定书", "建设用地规划许可证", "普通", "建设用地规划许可", 0, "地字第440882"),
        ("乡村建设规划许可决定书", "乡村建设规划许可证", "普通", "农村村民住宅建设", 2, "乡字第440882"),
    ],
    "gaj": [
        ("烟花爆竹道路运输许可决定书", "烟花爆竹道路运输许可证", "特许", "烟花爆竹道路运输", 0, "雷公烟运"),
        ("剧毒化学品购买许可决定书", "剧毒化学品购买许可证", "特许", "剧毒化学品购买", 0, "雷公剧购"),
    ],
    "yjj": [
        (
            "危险化学品经营许可决定书",
            "危险化学品经营许可证",
            "普通",
            "危险化学品经营（不带储存）",
            3,
            "粤雷危化经",
        )
    ],
    "rsj": [("劳务派遣经营许可决定书", "劳务派遣经营许可证", "普通", "劳务派遣经营", 3, "440882")],
    "mzj": [("社会组织成立登记决定书", "社会团体法人登记证书", "登记", "社会团体成立登记", 5, "雷民社证")],
    "sthj": [("排污许可决定书", "排污许可证", "普通", "重点管理排污许可", 5, "91440882")],
    "cgj": [("城市建筑垃圾处置核准决定书", "城市建筑垃圾处置核准证", "核准", "建筑垃圾处置", 1, "雷城管核")],
    "swuj": [("增值税专用发票最高开票限额审批决定书", "", "核准", "增值税专用发票最高开票限额审批", 0, "")],
    "xfdd": [("公众聚集场所投入使用营业前消防安全检查决定书", "", "普通", "公众聚集场所消防安全检查", 0, "")],
    "fgj": [("企业投资项目核准决定书", "", "核准", "企业投资项目核准", 2, "")],
}
GENERIC_PERMITS = [
    ("准予行政许可决定书", "", "普通", "准予行政许可", 3, ""),
    ("行政审批决定书", "", "其他-备案", "行政备案事项办理", 0, ""),
]
TOWN_PERMITS = [
    ("乡村建设规划许可决定书", "乡村建设规划许可证", "普通", "农村村民住宅建设", 2, "乡字第440882"),
    ("临时占用道路审批决定书", "", "普通", "临时占用镇区道路", 1, ""),
]

# 行政处罚: (violation_type, violation facts, legal basis, penalty combos); a combo is a tuple of labels.
PENALTIES: dict[str, list[tuple[str, str, str, list[tuple[str, ...]]]]] = {
    "scjgj": [
        (
            "销售过期食品",
            "当事人在其经营场所销售超过保质期的预包装食品，货值金额较小",
            "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
            [("罚款",), ("没收违法所得", "罚款"), ("没收违法所得", "没收非法财物", "罚款")],
        ),
        (
            "未取得营业执照从事经营活动",
            "当事人未依法取得营业执照，擅自从事经营活动",
            "《无证无照经营查处办法》第十三条",
            [("罚款",), ("没收违法所得", "罚款")],
        ),
        (
            "发布虚假广告",
            "当事人通过微信公众号发布含有虚假内容的广告",
            "《中华人民共和国广告法》第五十五条第一款",
            [("罚款",), ("警告", "罚款")],
        ),
    ],
    "cgj": [
        (
            "违法建设",
            "当事人未取得建设工程规划许可证进行建设",
            "《中华人民共和国城乡规划法》第六十四条",
            [("罚款",)],
        ),
        (
            "占道经营",
            "当事人擅自占用城市道路摆卖",
            "《城市市容和环境卫生管理条例》第三十六条",
            [("警告",), ("罚款",)],
        ),
    ],
    "yjj": [
        (
            "未按规定开展安全生产教育培训",
            "当事人未对从业人员进行安全生产教育和培训",
            "《中华人民共和国安全生产法》第九十七条第（三）项",
            [("罚款",), ("警告", "罚款"), ("责令停产停业", "罚款")],
        )
    ],
    "gaj": [
        (
            "殴打他人",
            "当事人因琐事与他人发生纠纷并殴打他人",
            "《中华人民共和国治安管理处罚法》第四十三条第一款",
            [("行政拘留",), ("行政拘留", "罚款")],
        ),
        (
            "违反危险物品管理规定",
            "当事人非法储存烟花爆竹",
            "《烟花爆竹安全管理条例》第三十六条",
            [("没收非法财物", "罚款")],
        ),
    ],
    "sthj": [
        (
            "超标排放水污染物",
            "当事人排放的废水中化学需氧量超过国家排放标准",
            "《中华人民共和国水污染防治法》第八十三条第（二）项",
            [("罚款",), ("责令停产停业", "罚款")],
        )
    ],
    "wjj": [
        (
            "非法行医",
            "当事人未取得医疗机构执业许可证擅自执业",
            "《医疗机构管理条例》第四十三条",
            [("没收违法所得", "没收非法财物", "罚款"), ("罚款",)],
        ),
        (
            "公共场所卫生不合格",
            "当事人经营的公共场所未取得健康合格证明从业",
            "《公共场所卫生管理条例实施细则》第三十八条",
            [("警告",), ("警告", "罚款")],
        ),
    ],
    "xfdd": [
        (
            "消防设施未保持完好有效",
            "当事人场所的消防设施、器材未保持完好有效",
            "《中华人民共和国消防法》第六十条第一款第（一）项",
            [("罚款",)],
        ),
        (
            "占用疏散通道",
            "当事人占用、堵塞疏散通道",
            "《中华人民共和国消防法》第六十条第一款第（四）项",
            [("警告",), ("罚款",)],
        ),
    ],
    "swuj": [
        (
            "未按期办理纳税申报",
            "当事人未按照规定期限办理纳税申报和报送纳税资料",
            "《中华人民共和国税收征收管理法》第六十二条",
            [("罚款",)],
        )
    ],
    "nyj": [
        (
            "经营假劣农药",
            "当事人经营的农药经抽检不合格",
            "《农药管理条例》第五十六条",
            [("没收违法所得", "没收非法财物", "罚款"), ("吊销许可证件", "罚款")],
        ),
        (
            "非法捕捞",
            "当事人在禁渔期内使用禁用渔具捕捞",
            "《中华人民共和国渔业法》第三十八条",
            [("没收非法财物", "罚款")],
        ),
    ],
    "zrzyj": [
        (
            "非法占用土地",
            "当事人未经批准擅自占用集体土地建设",
            "《中华人民共和国土地管理法》第七十七条",
            [("罚款",), ("没收非法财物", "罚款")],
        )
    ],
    "wglj": [
        (
            "擅自从事互联网上网服务经营活动",
            "当事人未取得网络文化经营许可证接纳未成年人上网",
            "《互联网上网服务营业场所管理条例》第三十一条",
            [("警告", "罚款"), ("暂扣许可证件", "罚款"), ("吊销许可证件",)],
        )
    ],
    "jyj": [
        (
            "违规办学",
            "当事人未经批准擅自举办校外培训",
            "《中华人民共和国民办教育促进法》第六十四条",
            [("警告",), ("通报批评",), ("罚款",)],
        )
    ],
    "rsj": [
        (
            "违反劳动保障法律",
            "当事人未按规定支付劳动者工资",
            "《保障农民工工资支付条例》第五十七条",
            [("罚款",), ("警告",)],
        )
    ],
    "zjj": [
        (
            "未取得施工许可证擅自施工",
            "当事人未取得施工许可证擅自开工建设",
            "《建设工程质量管理条例》第五十七条",
            [("罚款",)],
        )
    ],
    "swj": [
        ("未经批准擅自取水", "当事人未经批准擅自取用地下水", "《中华人民共和国水法》第六十九条", [("罚款",)])
    ],
    "ybj": [
        (
            "违规使用医保基金",
            "当事人将不属于医保基金支付范围的费用纳入结算",
            "《医疗保障基金使用监督管理条例》第三十八条",
            [("罚款",), ("没收违法所得", "罚款")],
        )
    ],
    "tjj": [
        (
            "提供不真实统计资料",
            "当事人报送的统计资料不真实",
            "《中华人民共和国统计法》第四十一条",
            [("警告",), ("警告", "罚款")],
        )
    ],
}
GENERIC_PENALTIES = [
    (
        "违反行政管理秩序",
        "当事人违反有关法律法规的规定",
        "《中华人民共和国行政处罚法》第二十八条",
        [("警告",), ("罚款",), ("通报批评",)],
    ),
]
FINES_YUAN = [200, 500, 800, 1000, 2000, 3000, 5000, 8000, 10000, 12000, 20000, 30000, 50000, 100000, 200000]
CONFISCATIONS_YUAN = [120, 350, 680, 1200, 2560, 4300, 9800, 15000]
GOODS = ["过期食品一批", "涉案农药12瓶", "烟花爆竹30箱", "禁用渔具2套", "药品及医疗器械一批"]


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


# ---------------------------------------------------------------- identifiers (scalar)
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
_ORG_ALPHABET = [c for c in USCC_ALPHABET]


def org_code(rnd: random.Random, letters: bool = True) -> str:
    """A 9-character 组织机构代码 with its GB 11714 check character (inside the USCC alphabet)."""
    while True:
        if letters and rnd.random() < 0.5:
            body = "MA" + "".join(rnd.choice(_ORG_ALPHABET) for _ in range(6))
        else:
            body = "".join(rnd.choice("0123456789") for _ in range(8))
        total = sum(_org_value(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
        check = 11 - total % 11
        char = "X" if check == 10 else "0" if check == 11 else str(check)
        return body + char


def _org_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - 55


def uscc(rnd: random.Random, prefix: str, region: str = "440882", body: str | None = None) -> str:
    first17 = prefix + region + (body or org_code(rnd, letters=prefix in ("91", "92", "93")))
    return first17 + uscc_check_char(first17)


def bad_uscc_check(code: str) -> str:
    """The same code with a wrong check character."""
    right = code[17]
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(right) + 7) % 31]
    return code[:17] + wrong


def ric(rnd: random.Random, born_from: int = 1955, born_to: int = 2004, region: str | None = None) -> str:
    region = region or rnd.choice(RIC_REGIONS)
    born = dt.date(born_from, 1, 1) + dt.timedelta(days=rnd.randrange((born_to - born_from) * 365))
    first17 = f"{region}{born:%Y%m%d}{rnd.randrange(1000):03d}"
    return first17 + ric_check_char(first17)


def business_reg_no(rnd: random.Random) -> str:
    """A 15-digit 工商注册号 (4408826…) with its ISO 7064 MOD 11,10 check digit."""
    body = "440882600" + "".join(rnd.choice("0123456789") for _ in range(5))
    p = 10
    for c in body:
        s = (p + int(c)) % 10 or 10
        p = (2 * s) % 11
    return body + str((11 - p) % 10)


# ---------------------------------------------------------------- identifiers (vectorised)
_ALPHA_CODES = np.array([ord(c) for c in USCC_ALPHABET], dtype=np.uint32)
_DIGIT_CODES = _ALPHA_CODES[:10]


def uscc_array(rng: np.random.Generator, prefixes: np.ndarray, region: str = "440882") -> np.ndarray:
    """n valid USCCs (`<U18`) for an array of two-character prefixes."""
    n = len(prefixes)
    codes = np.zeros((n, 18), dtype=np.uint32)
    codes[:, :2] = np.asarray(prefixes, dtype="<U2").view(np.uint32).reshape(n, 2)
    codes[:, 2:8] = np.array([ord(c) for c in region], dtype=np.uint32)
    body = rng.integers(0, 10, size=(n, 8))
    letters = rng.random(n) < 0.5
    body_codes = _DIGIT_CODES[body]
    body_codes[letters, 0] = ord("M")
    body_codes[letters, 1] = ord("A")
    body_codes[letters, 2:] = _ALPHA_CODES[rng.integers(0, 31, size=(int(letters.sum()), 6))]
    values = np.where(body_codes <= ord("9"), body_codes - ord("0"), body_codes - 55).astype(np.int64)
    check = 11 - (values * np.array(_ORG_WEIGHTS)).sum(axis=1) % 11
    check_code = np.where(check == 10, ord("X"), np.where(check == 11, ord("0"), ord("0") + check))
    codes[:, 8:16] = body_codes
    codes[:, 16] = check_code
    lookup = np.full(128, 0, dtype=np.int64)
    lookup[_ALPHA_CODES] = np.arange(31)
    vals = lookup[codes[:, :17]]
    total = (vals * np.array(USCC_WEIGHTS)).sum(axis=1)
    codes[:, 17] = _ALPHA_CODES[(31 - total % 31) % 31]
    return codes.view("<U18").reshape(n)


def ric_array(rng: np.random.Generator, n: int, born_from: int = 1955, born_to: int = 2004) -> np.ndarray:
    """n valid 18-digit 身份证 numbers (`<U18`), built as a code-point matrix."""
    regions = np.array([[int(c) for c in r] for r in RIC_REGIONS])[rng.integers(0, len(RIC_REGIONS), n)]
    born = np.datetime64(f"{born_from}-01-01") + rng.integers(0, (born_to - born_from) * 365, n).astype(
        "timedelta64[D]"
    )
    year = born.astype("datetime64[Y]").astype(np.int64) + 1970
    month = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (born - born.astype("datetime64[M]")).astype(np.int64) + 1
    seq = rng.integers(0, 1000, n)
    digits = np.empty((n, 17), dtype=np.int64)
    digits[:, :6] = regions
    for pos, (value, width) in enumerate(((year, 4), (month, 2), (day, 2), (seq, 3))):
        start = 6 + sum(w for _, w in ((year, 4), (month, 2), (day, 2), (seq, 3))[:pos])
        for k in range(width):
            digits[:, start + k] = value // 10 ** (width - 1 - k) % 10
    codes = np.empty((n, 18), dtype=np.uint32)
    codes[:, :17] = digits + ord("0")
    check = np.array([ord(c) for c in RIC_CHECK], dtype=np.uint32)
    codes[:, 17] = check[(digits * np.array(RIC_WEIGHTS)).sum(axis=1) % 11]
    return codes.view("<U18").reshape(n)
