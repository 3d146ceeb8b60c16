"""Word lists: occupations, competitors, counterparties, merchant and company name parts.

Person names come from Faker's zh_CN provider lists (surnames weighted by frequency); the rest is
kept short and plain on purpose: no commas or quotes, so CSV values never need quoting.
"""

from __future__ import annotations

import numpy as np
from faker.providers.company.zh_CN import Provider as CompanyProvider
from faker.providers.person.zh_CN import Provider as PersonProvider

SURNAMES = tuple(PersonProvider.last_names.keys())
SURNAME_WEIGHTS = np.array(list(PersonProvider.last_names.values()), dtype=np.float64)
SURNAME_WEIGHTS /= SURNAME_WEIGHTS.sum()
GIVEN_MALE = tuple(PersonProvider.first_names_male)
GIVEN_FEMALE = tuple(PersonProvider.first_names_female)
ROMAN_GIVEN = tuple(n.lower() for n in PersonProvider.first_romanized_names)
ROMAN_SURNAME = tuple(n.lower() for n in PersonProvider.last_romanized_names)
COMPANY_STEMS = tuple(dict.fromkeys(CompanyProvider.company_prefixes))  # de-duplicated, order kept

# (occupation, receives a monthly payroll) — employed people get 代发工资 at month-end.
OCCUPATIONS = (
    ("公司职员", True),
    ("工程师", True),
    ("教师", True),
    ("医生", True),
    ("护士", True),
    ("公务员", True),
    ("销售人员", True),
    ("会计", True),
    ("程序员", True),
    ("企业管理人员", True),
    ("律师", True),
    ("工人", True),
    ("司机", True),
    ("厨师", True),
    ("银行职员", True),
    ("个体工商户", False),
    ("私营企业主", False),
    ("自由职业者", False),
    ("农民", False),
    ("退休人员", False),
    ("学生", False),
)
OCCUPATION_WEIGHTS = np.array([14, 7, 5, 3, 3, 5, 6, 4, 4, 4, 1, 6, 3, 2, 1, 6, 3, 4, 3, 10, 2], dtype=np.float64)
OCCUPATION_WEIGHTS /= OCCUPATION_WEIGHTS.sum()

EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com", "gmail.com", "outlook.com")
EMAIL_DOMAIN_WEIGHTS = np.array([40, 22, 10, 5, 8, 5, 5, 5], dtype=np.float64) / 100

INDUSTRIES = ("科技", "贸易", "实业", "建设工程", "物流", "餐饮管理", "医药", "电子", "服装", "文化传媒")

# Merchant categories (docs/data-formats.md) and the words their shop names end with.
MERCHANT_WORDS = {
    "general": ("服装店", "数码城", "书店", "眼镜店", "母婴店", "家居馆", "化妆品店"),
    "wholesale": ("批发部", "建材市场", "五金批发", "粮油批发", "水产批发"),
    "dining": ("餐厅", "火锅", "酒楼", "茶餐厅", "KTV", "咖啡馆", "烧烤"),
    "auto_realty": ("汽车销售服务有限公司", "房地产经纪有限公司", "汽车维修中心", "置业顾问有限公司"),
    "livelihood": ("超市", "便利店", "大药房", "菜市场", "加油站", "诊所"),
}

# Competitors that appear as product issuers and as counterparties of money leaving the bank.
COMPETITOR_BANKS = ("招商银行", "工商银行", "建设银行", "农业银行", "中国银行", "平安银行", "兴业银行", "宁波银行")
ONLINE_COMPETITORS = ("微众银行", "网商银行", "蚂蚁财富", "腾讯理财通")
COMPETITORS = COMPETITOR_BANKS + ONLINE_COMPETITORS

# Counterparties of everyday flows (kept free of personal names: person-to-person transfers
# carry a masked name such as 张*, as mobile-banking statements show them).
SHOPS_ONLINE = (
    "财付通-美团",
    "支付宝-淘宝",
    "京东商城",
    "拼多多",
    "支付宝-饿了么",
    "财付通-滴滴出行",
    "携程旅行",
    "抖音电商",
)
SHOPS_POS = (
    "华润万家",
    "永辉超市",
    "沃尔玛",
    "盒马鲜生",
    "中国石化加油站",
    "屈臣氏",
    "优衣库",
    "肯德基",
    "麦当劳",
    "星巴克",
)
UTILITIES = ("国网电费", "自来水费", "燃气费", "中国移动话费", "中国联通话费", "物业费", "有线电视费")
RED_PACKET = "财付通-微信红包"
PAYROLL_PAYERS = ("代发工资", "单位代发", "工资代发-人力资源部")
SETTLEMENT = "银联商务清算"
OWN_TRANSFER = "本行定期转活期"
FEE_TEXT = ("短信通知服务费", "年费", "跨行转账手续费")
