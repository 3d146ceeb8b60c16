"""Real Chinese cities, their provinces, districts and ID area-code prefixes.

The first `BRANCH_CITIES` cities host the bank's city branches (with English names for
`branches.name_en`); the rest are where customers may live or move to. Area codes for resident
IDs come from Faker's zh_CN list (GB/T 2260 county codes) filtered by the city's 4-digit prefix,
so an ID's first six digits name a real county of that city.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from faker.providers.ssn.zh_CN import Provider as SsnProvider


@dataclass(frozen=True)
class City:
    name: str  # without 市: the `city` column
    province: str  # "" for the four municipalities (the address starts with the city)
    prefix: str  # first 4 digits of the county codes
    pinyin: str
    districts: tuple[tuple[str, str], ...]  # (Chinese name with suffix, pinyin)


def _d(text: str) -> tuple[tuple[str, str], ...]:
    """'浦东新区:Pudong 黄浦区:Huangpu' → pairs."""
    return tuple(tuple(item.split(":")) for item in text.split())  # type: ignore[misc]


CITIES: tuple[City, ...] = (
    City(
        "上海",
        "",
        "3101",
        "Shanghai",
        _d(
            "黄浦区:Huangpu 徐汇区:Xuhui 长宁区:Changning 静安区:Jing'an 普陀区:Putuo 虹口区:Hongkou "
            "杨浦区:Yangpu 闵行区:Minhang 宝山区:Baoshan 嘉定区:Jiading 浦东新区:Pudong 松江区:Songjiang"
        ),
    ),
    City(
        "北京",
        "",
        "1101",
        "Beijing",
        _d(
            "东城区:Dongcheng 西城区:Xicheng 朝阳区:Chaoyang 海淀区:Haidian 丰台区:Fengtai "
            "石景山区:Shijingshan 通州区:Tongzhou 顺义区:Shunyi 昌平区:Changping 大兴区:Daxing"
        ),
    ),
    City(
        "广州",
        "广东省",
        "4401",
        "Guangzhou",
        _d(
            "越秀区:Yuexiu 海珠区:Haizhu 荔湾区:Liwan 天河区:Tianhe 白云区:Baiyun 黄埔区:Huangpu "
            "番禺区:Panyu 花都区:Huadu 南沙区:Nansha 增城区:Zengcheng"
        ),
    ),
    City(
        "深圳",
        "广东省",
        "4403",
        "Shenzhen",
        _d(
            "罗湖区:Luohu 福田区:Futian 南山区:Nanshan 宝安区:Bao'an 龙岗区:Longgang 盐田区:Yantian "
            "龙华区:Longhua 坪山区:Pingshan 光明区:Guangming"
        ),
    ),
    City(
        "杭州",
        "浙江省",
        "3301",
        "Hangzhou",
        _d(
            "上城区:Shangcheng 拱墅区:Gongshu 西湖区:Xihu 滨江区:Binjiang 萧山区:Xiaoshan 余杭区:Yuhang "
            "临平区:Linping 钱塘区:Qiantang 富阳区:Fuyang"
        ),
    ),
    City(
        "南京",
        "江苏省",
        "3201",
        "Nanjing",
        _d(
            "玄武区:Xuanwu 秦淮区:Qinhuai 建邺区:Jianye 鼓楼区:Gulou 浦口区:Pukou 栖霞区:Qixia "
            "雨花台区:Yuhuatai 江宁区:Jiangning 六合区:Luhe"
        ),
    ),
    City(
        "成都",
        "四川省",
        "5101",
        "Chengdu",
        _d(
            "锦江区:Jinjiang 青羊区:Qingyang 金牛区:Jinniu 武侯区:Wuhou 成华区:Chenghua "
            "龙泉驿区:Longquanyi 新都区:Xindu 温江区:Wenjiang 双流区:Shuangliu 郫都区:Pidu"
        ),
    ),
    City(
        "武汉",
        "湖北省",
        "4201",
        "Wuhan",
        _d(
            "江岸区:Jiang'an 江汉区:Jianghan 硚口区:Qiaokou 汉阳区:Hanyang 武昌区:Wuchang "
            "青山区:Qingshan 洪山区:Hongshan 东西湖区:Dongxihu 江夏区:Jiangxia"
        ),
    ),
    City(
        "西安",
        "陕西省",
        "6101",
        "Xi'an",
        _d(
            "新城区:Xincheng 碑林区:Beilin 莲湖区:Lianhu 雁塔区:Yanta 未央区:Weiyang 灞桥区:Baqiao "
            "长安区:Chang'an 临潼区:Lintong"
        ),
    ),
    City(
        "苏州",
        "江苏省",
        "3205",
        "Suzhou",
        _d(
            "姑苏区:Gusu 虎丘区:Huqiu 吴中区:Wuzhong 相城区:Xiangcheng 吴江区:Wujiang 昆山市:Kunshan "
            "常熟市:Changshu 张家港市:Zhangjiagang 太仓市:Taicang"
        ),
    ),
    City("天津", "", "1201", "Tianjin", _d("和平区:Heping 河西区:Hexi 南开区:Nankai 河北区:Hebei 滨海新区:Binhai")),
    City(
        "重庆",
        "",
        "5001",
        "Chongqing",
        _d("渝中区:Yuzhong 江北区:Jiangbei 南岸区:Nan'an 沙坪坝区:Shapingba 渝北区:Yubei"),
    ),
    City("郑州", "河南省", "4101", "Zhengzhou", _d("中原区:Zhongyuan 二七区:Erqi 金水区:Jinshui 管城回族区:Guancheng")),
    City(
        "长沙", "湖南省", "4301", "Changsha", _d("芙蓉区:Furong 天心区:Tianxin 岳麓区:Yuelu 开福区:Kaifu 雨花区:Yuhua")
    ),
    City(
        "济南",
        "山东省",
        "3701",
        "Jinan",
        _d("历下区:Lixia 市中区:Shizhong 槐荫区:Huaiyin 天桥区:Tianqiao 历城区:Licheng"),
    ),
    City(
        "青岛",
        "山东省",
        "3702",
        "Qingdao",
        _d("市南区:Shinan 市北区:Shibei 黄岛区:Huangdao 崂山区:Laoshan 城阳区:Chengyang"),
    ),
    City("合肥", "安徽省", "3401", "Hefei", _d("瑶海区:Yaohai 庐阳区:Luyang 蜀山区:Shushan 包河区:Baohe")),
    City("福州", "福建省", "3501", "Fuzhou", _d("鼓楼区:Gulou 台江区:Taijiang 仓山区:Cangshan 晋安区:Jin'an")),
    City("厦门", "福建省", "3502", "Xiamen", _d("思明区:Siming 湖里区:Huli 集美区:Jimei 海沧区:Haicang")),
    City(
        "宁波",
        "浙江省",
        "3302",
        "Ningbo",
        _d("海曙区:Haishu 江北区:Jiangbei 鄞州区:Yinzhou 镇海区:Zhenhai 北仑区:Beilun"),
    ),
    City(
        "沈阳",
        "辽宁省",
        "2101",
        "Shenyang",
        _d("和平区:Heping 沈河区:Shenhe 大东区:Dadong 皇姑区:Huanggu 铁西区:Tiexi"),
    ),
    City("大连", "辽宁省", "2102", "Dalian", _d("中山区:Zhongshan 西岗区:Xigang 沙河口区:Shahekou 甘井子区:Ganjingzi")),
    City("哈尔滨", "黑龙江省", "2301", "Harbin", _d("道里区:Daoli 南岗区:Nangang 道外区:Daowai 香坊区:Xiangfang")),
    City("长春", "吉林省", "2201", "Changchun", _d("南关区:Nanguan 宽城区:Kuancheng 朝阳区:Chaoyang 绿园区:Lvyuan")),
    City("昆明", "云南省", "5301", "Kunming", _d("五华区:Wuhua 盘龙区:Panlong 官渡区:Guandu 西山区:Xishan")),
    City("南昌", "江西省", "3601", "Nanchang", _d("东湖区:Donghu 西湖区:Xihu 青山湖区:Qingshanhu 红谷滩区:Honggutan")),
    City(
        "南宁",
        "广西壮族自治区",
        "4501",
        "Nanning",
        _d("兴宁区:Xingning 青秀区:Qingxiu 江南区:Jiangnan 西乡塘区:Xixiangtang"),
    ),
    City("石家庄", "河北省", "1301", "Shijiazhuang", _d("长安区:Chang'an 桥西区:Qiaoxi 新华区:Xinhua 裕华区:Yuhua")),
    City(
        "太原", "山西省", "1401", "Taiyuan", _d("小店区:Xiaodian 迎泽区:Yingze 杏花岭区:Xinghualing 万柏林区:Wanbailin")
    ),
    City("无锡", "江苏省", "3202", "Wuxi", _d("梁溪区:Liangxi 滨湖区:Binhu 新吴区:Xinwu 锡山区:Xishan")),
    City("佛山", "广东省", "4406", "Foshan", _d("禅城区:Chancheng 南海区:Nanhai 顺德区:Shunde 三水区:Sanshui")),
    City(
        "东莞", "广东省", "4419", "Dongguan", _d("莞城街道:Guancheng 南城街道:Nancheng 东城街道:Dongcheng 虎门镇:Humen")
    ),
    City("贵阳", "贵州省", "5201", "Guiyang", _d("南明区:Nanming 云岩区:Yunyan 花溪区:Huaxi 观山湖区:Guanshanhu")),
    City("兰州", "甘肃省", "6201", "Lanzhou", _d("城关区:Chengguan 七里河区:Qilihe 西固区:Xigu 安宁区:Anning")),
    City("海口", "海南省", "4601", "Haikou", _d("秀英区:Xiuying 龙华区:Longhua 琼山区:Qiongshan 美兰区:Meilan")),
    City("温州", "浙江省", "3303", "Wenzhou", _d("鹿城区:Lucheng 龙湾区:Longwan 瓯海区:Ouhai")),
)
BRANCH_CITIES = 10  # the first ten host a city branch

ROADS = (
    "人民路 解放路 中山路 建设路 和平路 新华路 胜利路 文化路 长江路 黄河路 光明路 青年路 朝阳路 东风路 "
    "延安路 复兴路 友谊路 科技路 学府路 滨江大道 环城北路 工业大道 团结路 幸福路 振兴路 花园路 金融街 "
    "世纪大道 南京路 北京路 迎宾大道 锦绣路 湖滨路 钟楼街 春风路 建国路 民主路 东湖路 体育路 银河路"
).split()

# Resident-ID area codes: county codes (not ending in 00), no Hong Kong/Macau/Taiwan codes; cities
# without districts (东莞 441900, 中山 442000) issue IDs under the city's own code.
_MAINLAND = tuple(c for c in SsnProvider.area_codes if c[:2] not in ("71", "81", "82", "83"))
_COUNTY_CODES = tuple(c for c in _MAINLAND if not c.endswith("00") or c in ("441900", "442000"))


def area_codes_for(prefix: str) -> np.ndarray:
    """County codes of one city (as ints)."""
    return np.array([int(c) for c in _COUNTY_CODES if c.startswith(prefix)], dtype=np.int64)


def all_area_codes() -> np.ndarray:
    """Every county code of the mainland, for people born elsewhere than where they live now."""
    return np.array([int(c) for c in _COUNTY_CODES], dtype=np.int64)
