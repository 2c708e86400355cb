"""Blind evaluation tables for the de-identification scan, written apart from the engine's own generator.

Four exports the way a hospital, the 12345 hotline, a school and a subsidy office would produce them:
varied headers, identifiers alone and inside free-text remarks, the formatting people actually type, and
decoys that must not be reported (order numbers, IDs with a wrong check digit or birth date, numbers failing
Luhn, dates, amounts, codes, company and place names that contain surnames). Every value is invented; the
ground truth is recorded per cell as (type, value) pairs.
"""

from __future__ import annotations

import csv
import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

# --- vocabularies -------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "司徒")
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚英华玉兰春梅红秀桂芬德福荣永辉斌鹏飞琳婷雪颖慧凯宁东彬"
    "浩宇轩梓涵欣怡佳俊嘉文博雨思晨诺睿泽晓建国志海波云峰亮晶莉萍燕丹蕾倩琪瑶璐薇鑫坤锋毅昊然哲航"
)
GIVEN_PAIRS = ("秀英", "桂英", "秀兰", "玉兰", "建华", "建国", "志强", "海燕", "晓明", "丽娟", "子涵",
               "梓轩", "一诺", "欣怡", "浩然", "宇航", "思远", "雨桐", "嘉怡", "俊杰", "文博", "晨曦",
               # given names made of characters that are also everyday words
               "和平", "家豪", "家明", "中华", "建中", "有才", "有福", "长青", "月娥", "家乐", "永和")
MINORITY_NAMES = ("阿依古丽·买买提", "迪丽娜尔·艾则孜", "艾力·吐尔逊", "古丽米拉·阿不都", "热依拉·卡德尔",
                  "买买提·艾力", "努尔艾力·热合曼")

# (province, city, districts) — real administrative names; streets and buildings below are invented.
CITIES = (
    ("广东省", "广州市", ("天河区", "越秀区", "海珠区", "白云区", "黄埔区", "番禺区", "荔湾区")),
    ("广东省", "深圳市", ("福田区", "南山区", "罗湖区", "宝安区", "龙岗区", "龙华区")),
    ("广东省", "佛山市", ("禅城区", "南海区", "顺德区", "高明区")),
    ("北京市", "", ("朝阳区", "海淀区", "东城区", "西城区", "丰台区")),
    ("上海市", "", ("浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区")),
    ("浙江省", "杭州市", ("西湖区", "滨江区", "拱墅区", "余杭区")),
    ("四川省", "成都市", ("武侯区", "锦江区", "青羊区", "成华区")),
    ("湖北省", "武汉市", ("洪山区", "江汉区", "武昌区")),
    ("江苏省", "南京市", ("鼓楼区", "玄武区", "建邺区")),
)
COUNTIES = (("湖南省", "邵阳市", "隆回县", "桃洪镇"), ("河南省", "周口市", "郸城县", "汲冢镇"),
            ("广东省", "梅州市", "五华县", "水寨镇"), ("江西省", "赣州市", "于都县", "贡江镇"),
            ("四川省", "南充市", "仪陇县", "金城镇"))
ROADS = ("华夏路", "体育西路", "中山大道", "科技园南路", "深南大道", "人民北路", "解放南路", "建设六马路",
         "文三路", "天府大道", "珞喻路", "江东北路", "环市东路", "工业大道中", "沿江西路", "新港西路",
         "黄埔大道西", "白云大道北", "张江路", "望京西路", "长寿路", "学院路", "东风东路", "广州大道南")
ESTATES = ("富力中心", "维多利广场", "锦绣花园", "翠湖苑", "华景新城", "保利中环广场", "金沙洲小区",
           "丽江花园", "碧桂园", "万科城", "阳光家园", "幸福里", "紫荆苑", "海逸豪庭", "东湖小区")
VILLAGES = ("石门村", "新塘村", "黄泥坳村", "上岭村", "河背村", "大坪村")

COMPANIES = ("张江高科技园区开发股份有限公司", "王老吉大健康产业有限公司", "李宁体育用品有限公司",
             "陈李济药厂", "马应龙药业集团股份有限公司", "周大福珠宝金行有限公司", "杨国福食品有限公司",
             "黄埔文冲船舶有限公司", "白云电器设备股份有限公司", "刘一手餐饮管理有限公司",
             "海天味业股份有限公司", "方正科技集团股份有限公司", "金发科技股份有限公司",
             "高明区顺安建材有限公司", "广州云从信息科技有限公司", "深圳市龙华区明德实验学校")
ORGANISATIONS = ("广州市天河区疾病预防控制中心", "深圳市南山区粤海街道办事处", "广州市白云区人民医院",
                 "佛山市高明区教育局", "广州市黄埔区市场监督管理局", "北京市朝阳区望京街道社区卫生服务中心",
                 "杭州市西湖区城市管理局", "成都市武侯区住房和城乡建设局", "广州市越秀区东山街道办事处",
                 "上海市浦东新区张江镇人民政府", "广州市第一人民医院（盘福路1号）",
                 "天河区石牌街道华景社区居委会（华景路1号）", "深圳市福田区华强北路1002号赛格广场管理处")
DISTRICT_WORDS = ("白云区", "黄埔区", "高明区", "龙华区", "罗湖区", "金山区", "龙岗区", "海珠区")
COMPLAINTS = ("反复咳嗽", "胸闷气短", "上腹部疼痛", "头晕乏力", "右膝关节肿痛", "发热伴咽痛", "腰背部疼痛")
ISSUES = ("夜间施工噪音扰民", "道路井盖缺失", "小区电梯长期故障", "餐馆油烟直排", "路灯不亮", "积水严重")
BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "招商银行", "中国银行", "广州农商银行")
# Issuer prefixes of Chinese debit and credit cards.
CARD_BINS = ("622202", "621700", "622848", "621226", "622588", "436742", "621483", "622700", "625965",
             "623668")
MOBILE_HEADS = ("130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "147", "150", "151",
                "152", "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "180", "181",
                "182", "183", "185", "186", "187", "188", "189", "191", "198", "199")
AREA_CODES = ("010", "020", "021", "022", "023", "0755", "0757", "0769", "0571", "028", "027", "025")
# Resident-ID region codes (county level) that exist.
REGIONS = ("110105", "110108", "310104", "310115", "440106", "440104", "440111", "440304", "440305",
           "440606", "330106", "510107", "420111", "320106", "430524", "411625", "441424", "360731",
           "511324", "441900", "450103", "610113", "370102", "210102", "650102", "530102", "220102")
PLATE_PROVINCES = "京沪粤浙川鄂苏湘豫赣桂鲁"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXY"
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com.cn", "foxmail.com", "outlook.com",
                 "gz.gov.cn", "scut.edu.cn", "mail.sysu.edu.cn", "chinaunicom.com.cn", "189.cn",
                 "hospital-gz.org.cn", "yeah.net")
PINYIN = ("zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun",
          "wei", "fang", "min", "jing", "li.na", "xiaoming", "jianguo", "haiyan", "yuhang", "sifan")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass
class Table:
    """One exported table: header, rows of cells, and per cell the planted (type, value) pairs."""

    name: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    truth: list[list[list[tuple[str, str]]]] = field(default_factory=list)

    def write_csv(self, folder: Path) -> Path:
        """Write the table as UTF-8 CSV into ``folder`` and return its path."""
        path = folder / f"{self.name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.header)
            writer.writerows(self.rows)
        return path


class Cell:
    """Text of one cell being composed, with its planted identifiers."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.found: list[tuple[str, str]] = []

    def put(self, text: str, kind: str | None = None) -> Cell:
        """Append text; when ``kind`` is given the text is an identifier of that type."""
        self.parts.append(text)
        if kind:
            self.found.append((kind, text))
        return self

    @property
    def text(self) -> str:
        return "".join(self.parts)


# --- values ---------------------------------------------------------------------------------------------


class Values:
    """Random invented values of every type, valid ones and decoys."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def digits(self, n: int, first: str = "0123456789") -> str:
        r = self.rng
        return r.choice(first) + "".join(r.choice(string.digits) for _ in range(n - 1))

    # people
    def name(self) -> str:
        r = self.rng
        roll = r.random()
        if roll < 0.03:
            return r.choice(MINORITY_NAMES)
        surname = r.choice(COMPOUND_SURNAMES) if roll < 0.07 else r.choice(SURNAMES)
        if r.random() < 0.3:
            return surname + r.choice(GIVEN_PAIRS)
        given = r.choice(GIVEN_CHARS) if r.random() < 0.35 else r.choice(GIVEN_CHARS) + r.choice(GIVEN_CHARS)
        return surname + given

    def birth(self, low: int = 1940, high: int = 2016) -> date:
        start = date(low, 1, 1)
        return start + timedelta(days=self.rng.randrange((date(high, 12, 31) - start).days))

    def id_card(self, born: date | None = None, lower_x: bool = False) -> str:
        body = self.rng.choice(REGIONS) + (born or self.birth()).strftime("%Y%m%d") + self.digits(3)
        check = ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
        return body + (check.lower() if lower_x else check)

    def id_card_bad_check(self) -> str:
        good = self.id_card()
        return good[:-1] + self.rng.choice([c for c in "0123456789X" if c != good[-1]])

    def id_card_bad_date(self) -> str:
        r = self.rng
        born = r.choice(("19901345", "20230230", "18990512", "19850000", "20991201", "19770431"))
        body = r.choice(REGIONS) + born + self.digits(3)
        return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]

    def order_number(self) -> str:
        r = self.rng
        kind = r.random()
        if kind < 0.5:  # timestamp-led, as shops and payment systems print them
            when = date(2023, 1, 1) + timedelta(days=r.randrange(700))
            return when.strftime("%Y%m%d") + self.digits(10)
        if kind < 0.8:
            return self.digits(18, "123456789")
        return r.choice(("1", "2", "3", "4", "5", "6")) + r.choice(REGIONS)[1:] + self.digits(12)

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_HEADS) + self.digits(8)

    def mobile_typed(self) -> str:
        r = self.rng
        m = self.mobile()
        style = r.random()
        if style < 0.55:
            return m
        if style < 0.65:
            return f"{m[:3]} {m[3:7]} {m[7:]}"
        if style < 0.75:
            return f"{m[:3]}-{m[3:7]}-{m[7:]}"
        if style < 0.85:
            return "+86" + r.choice(("", " ", "-")) + m
        if style < 0.92:
            return "86" + m
        return f"+86 {m[:3]} {m[3:7]} {m[7:]}"

    def landline(self) -> str:
        r = self.rng
        area = r.choice(AREA_CODES)
        local = self.digits(8 if len(area) == 3 else r.choice((7, 8)), "2345678")
        style = r.random()
        if style < 0.05:
            text = f"{area}－{local}"
        elif style < 0.4:
            text = f"{area}-{local}"
        elif style < 0.55:
            text = f"({area}){local}"
        elif style < 0.65:
            text = f"（{area}）{local}"
        elif style < 0.8:
            cut = 4 if len(local) == 8 else 3
            text = f"{area}-{local[:cut]} {local[cut:]}"
        else:
            text = f"{area} {local}"
        if r.random() < 0.15:
            text += r.choice(("转", "-", " 转", "-ext")) + self.digits(r.choice((3, 4)), "123456789")
        return text

    def email(self) -> str:
        r = self.rng
        user = r.choice(PINYIN)
        style = r.random()
        if style < 0.3:
            user += self.digits(r.choice((2, 3, 4)))
        elif style < 0.45:
            user += "." + r.choice(PINYIN).replace(".", "")
        elif style < 0.55:
            user += "+" + r.choice(("work", "gov", "2024", "news"))
        elif style < 0.65:
            user = user.replace(".", "_") + "_" + self.digits(2)
        elif style < 0.72:
            user = self.digits(r.choice((6, 8, 9, 10)), "123456789")  # QQ number mailbox
        address = f"{user}@{r.choice(EMAIL_DOMAINS)}"
        if r.random() < 0.12:
            address = address[0].upper() + address[1:] if r.random() < 0.5 else address.upper()
        return address

    def luhn_digit(self, body: str) -> str:
        total = 0
        for i, d in enumerate(reversed(body)):
            n = int(d) * (2 if i % 2 == 0 else 1)
            total += n - 9 if n > 9 else n
        return str((10 - total % 10) % 10)

    def bank_card(self) -> str:
        r = self.rng
        length = r.choice((16, 19, 19, 19))
        body = r.choice(CARD_BINS) + self.digits(length - 7)
        return body + self.luhn_digit(body)

    def bank_card_typed(self) -> str:
        card = self.bank_card()
        if self.rng.random() < 0.3:
            return " ".join(card[i : i + 4] for i in range(0, len(card), 4))
        return card

    def not_luhn(self) -> str:
        card = self.bank_card()
        return card[:-1] + str((int(card[-1]) + self.rng.randrange(1, 10)) % 10)

    def uscc(self) -> str:
        r = self.rng
        org = "".join(r.choice(USCC_CHARS) for _ in range(8))
        value = sum(
            (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(org, ORG_WEIGHTS, strict=True)
        )
        check = 11 - value % 11
        org += "X" if check == 10 else "0" if check == 11 else str(check)
        head = r.choice(("91", "91", "91", "92", "93", "12", "11", "52", "51", "Y1"))
        body = head + r.choice(REGIONS) + org
        total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
        return body + USCC_CHARS[(31 - total % 31) % 31]

    def passport(self) -> str:
        r = self.rng
        style = r.random()
        if style < 0.5:
            return "E" + self.digits(8, "123456789")
        if style < 0.7:
            return "E" + r.choice("ABCDEFGHJKLMNPQRSTUVWXY") + self.digits(7)
        if style < 0.8:
            return "G" + self.digits(8, "3456789")
        if style < 0.9:  # mainland permit to Hong Kong and Macao
            return "C" + r.choice("ABCDEFGHJKLMNPQRSTUVWXY0123456789") + self.digits(7)
        return r.choice("HM") + self.digits(8, "0123")  # Hong Kong / Macao resident's home-return permit

    def plate(self) -> str:
        r = self.rng
        head = r.choice(PLATE_PROVINCES) + r.choice(PLATE_LETTERS)
        if r.random() < 0.35:  # new-energy: 6 characters after the letter
            tail = r.choice("DF") + r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") + self.digits(4)
        else:
            tail = "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789" if i < 2 else string.digits)
                           for i in range(5))
        sep = r.choice(("", "", "·", " ", "•", "-"))
        return head + sep + tail

    def ip(self) -> str:
        r = self.rng
        style = r.random()
        if style < 0.05:
            return f"240e:{r.randrange(16**3, 16**4):x}:{r.randrange(16**4):x}::{r.randrange(1, 255):x}"
        if style < 0.1:
            return f"{r.randrange(1, 224)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(256)}:8080"
        if style < 0.2:
            return f"192.168.{r.randrange(256)}.{r.randrange(1, 255)}"
        if style < 0.3:
            return f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        return ".".join(str(r.randrange(1, 224) if i == 0 else r.randrange(256)) for i in range(4))

    def address(self) -> str:
        r = self.rng
        number = f"{r.randrange(1, 400)}号"
        room = f"{r.randrange(1, 33)}{r.randrange(1, 9):02d}"
        if r.random() < 0.2:
            province, city, county, town = r.choice(COUNTIES)
            head = (province if r.random() < 0.6 else "") + city + county + town
            if r.random() < 0.3:
                return head + r.choice(VILLAGES) + r.choice(("", "委会", "村民小组"))
            return head + r.choice(VILLAGES) + f"{r.randrange(1, 12)}组{r.randrange(1, 90)}号"
        province, city, districts = r.choice(CITIES)
        district = r.choice(districts)
        style = r.random()
        if style < 0.3:
            head = province + city + district
        elif style < 0.6:
            head = (city or province) + district
        else:
            head = district
        road = r.choice(ROADS)
        tail = r.choice((
            f"{road}{number}{r.choice(ESTATES)}{room}房",
            f"{road}{number}{r.choice(ESTATES)}{r.choice('ABCD')}座{room}",
            f"{road}{number}{r.randrange(1, 20)}栋{room}室",
            f"{road}{number}之{r.randrange(1, 9)}{room}",
            f"{r.choice(ESTATES)}{r.randrange(1, 30)}栋{r.randrange(1, 4)}单元{room}",
            f"{road}{r.randrange(1, 300)}弄{r.randrange(1, 60)}号{room}室",
        ))
        return head + tail

    # decoys
    def amount(self) -> str:
        r = self.rng
        value = r.randrange(100, 2_000_000_000) / 100
        return f"{value:,.2f}" if r.random() < 0.6 else f"{value:.2f}"

    def day(self) -> str:
        when = date(2022, 1, 1) + timedelta(days=self.rng.randrange(1000))
        return when.strftime(self.rng.choice(("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d")))

    def serial(self) -> str:
        r = self.rng
        return r.choice((
            f"SN{self.digits(14)}",
            f"MZ2024{self.digits(8)}",
            f"{r.choice('ABCDEFG')}{r.choice('ABCDEFG')}-{self.digits(4)}-{self.digits(2)}",
            f"GD{self.digits(16)}",
            self.digits(r.choice((8, 10, 12))),
        ))

    def version(self) -> str:
        r = self.rng
        return r.choice((
            f"V{r.randrange(1, 9)}.{r.randrange(10)}.{r.randrange(20)}",
            f"{r.randrange(1, 12)}.{r.randrange(10)}.{r.randrange(30)}",
            f"v{r.randrange(1, 5)}.{r.randrange(10)}.{r.randrange(10)}.{r.randrange(1000, 9999)}",
        ))

    def vin(self) -> str:
        chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
        return "L" + "".join(self.rng.choice(chars) for _ in range(10)) + self.digits(6)


# --- tables ---------------------------------------------------------------------------------------------


def _hospital(v: Values, rows: int) -> Table:
    r = v.rng
    header = ["序号", "门诊号", "患者姓名", "性别", "年龄", "证件号", "联系电话", "家庭住址", "就诊日期",
              "费用(元)", "病历摘要"]
    table = Table("hospital_outpatients", header)
    for i in range(rows):
        cells = [Cell() for _ in header]
        name, born = v.name(), v.birth(1935, 2020)
        sex = r.choice("男女")
        cells[0].put(str(i + 1))
        cells[1].put(v.serial())
        if len(name) == 2 and r.random() < 0.2:  # padded to line up with three-character names
            cells[2].put(name[0] + r.choice(("  ", "\u3000", " ")) + name[1], "person_name")
        else:
            cells[2].put(name, "person_name")
        cells[3].put(sex)
        cells[4].put(str(2024 - born.year))
        roll = r.random()
        if roll < 0.85:
            cells[5].put(v.id_card(born, lower_x=r.random() < 0.3), "id_card")
        elif roll < 0.95:
            cells[5].put(v.passport(), "passport")
        cells[6].put(*((v.mobile_typed(), "mobile") if r.random() < 0.8 else (v.landline(), "phone")))
        if r.random() < 0.08:  # a second number in the same cell
            cells[6].put(r.choice(("/", "；", "、", " ", "，")))
            cells[6].put(*((v.mobile(), "mobile") if r.random() < 0.6 else (v.landline(), "phone")))
        cells[7].put(v.address(), "address")
        cells[8].put(v.day())
        cells[9].put(v.amount())
        _clinical_note(v, cells[10], name, sex, 2024 - born.year)
        table.rows.append([c.text for c in cells])
        table.truth.append([c.found for c in cells])
    return table


def _clinical_note(v: Values, cell: Cell, name: str, sex: str, age: int) -> None:
    r = v.rng
    style = r.randrange(6)
    if style == 0:
        cell.put("患者").put(name, "person_name")
        cell.put(f"（{sex}，{age}岁）于{v.day()}因{r.choice(COMPLAINTS)}入院。")
    elif style == 1:
        cell.put("患者").put(name, "person_name").put("，住").put(v.address(), "address")
        cell.put(f"，主诉{r.choice(COMPLAINTS)}{r.randrange(1, 30)}天。")
    elif style == 2:
        relative = v.name()
        cell.put(f"{r.choice(COMPLAINTS)}，已予对症处理。家属").put(relative, "person_name")
        cell.put("（" + r.choice(("配偶", "女儿", "儿子")) + "）电话").put(v.mobile_typed(), "mobile")
    elif style == 3:
        cell.put(f"复诊，{r.choice(COMPLAINTS)}较前好转，{v.day()}复查。费用{v.amount()}元。")
    elif style == 4:
        cell.put("主治医师：").put(v.name(), "person_name")
        cell.put(f"，{r.choice(COMPLAINTS)}，门诊号{v.serial()}")
    else:
        cell.put(f"医保结算单号{v.order_number()}，自付{v.amount()}元")


def _hotline(v: Values, rows: int) -> Table:
    r = v.rng
    header = ["工单编号", "来电时间", "来电人", "联系电话", "所属区", "承办单位", "诉求内容", "处理结果"]
    table = Table("hotline_12345", header)
    for _ in range(rows):
        cells = [Cell() for _ in header]
        name = v.name()
        cells[0].put(v.order_number())
        cells[1].put(v.day() + f" {r.randrange(24):02d}:{r.randrange(60):02d}")
        if r.random() < 0.9:
            cells[2].put(name, "person_name")
        else:
            cells[2].put(r.choice(("匿名", "市民", "不愿透露")))
        cells[3].put(*((v.mobile_typed(), "mobile") if r.random() < 0.85 else (v.landline(), "phone")))
        cells[4].put(r.choice(DISTRICT_WORDS))
        cells[5].put(r.choice(ORGANISATIONS))
        _complaint(v, cells[6], name)
        outcome = ("已办结", "已转派" + r.choice(ORGANISATIONS), f"{v.day()}已回访，满意", "处理中")
        cells[7].put(r.choice(outcome))
        table.rows.append([c.text for c in cells])
        table.truth.append([c.found for c in cells])
    return table


def _complaint(v: Values, cell: Cell, name: str) -> None:
    r = v.rng
    style = r.randrange(10)
    if style == 9:
        cell.put(name, "person_name").put(r.choice(("来电反映", "来电称", "投诉称", "反映")))
        cell.put(f"{r.choice(ISSUES)}，回访电话").put(v.mobile_typed(), "mobile")
    elif style == 0:
        cell.put("市民反映").put(v.address(), "address")
        cell.put(f"附近{r.choice(ISSUES)}，请尽快处理。联系电话：")
        cell.put(v.mobile_typed(), "mobile")
    elif style == 1:
        cell.put(f"来电人称在{r.choice(COMPANIES)}购物，订单号{v.order_number()}，金额{v.amount()}元，")
        cell.put("要求退款，请转账至").put(v.bank_card_typed(), "bank_card").put(f"（{r.choice(BANKS)}）。")
    elif style == 2:
        cell.put("投诉人").put(name, "person_name").put("，身份证").put(v.id_card(), "id_card")
        cell.put("，邮箱").put(v.email(), "email").put(f"，反映{r.choice(ISSUES)}。")
    elif style == 3:
        cell.put(f"{name[0]}先生来电，车牌").put(v.plate(), "plate").put("的车辆长期占用消防通道，回电")
        cell.put(v.landline(), "phone")
    elif style == 4:
        cell.put("联系人").put(name, "person_name").put("，电话").put(v.mobile_typed(), "mobile")
        cell.put(f"，{r.choice(ISSUES)}，地点在{r.choice(DISTRICT_WORDS)}。")
    elif style == 5:
        cell.put(f"反映{r.choice(COMPANIES)}拖欠工资{v.amount()}元，合同日期{v.day()}，")
        cell.put(f"共{r.randrange(3, 80)}人。")
    elif style == 6:
        cell.put("住").put(v.address(), "address").put(f"，{r.choice(ISSUES)}，已多次反映。")
    elif style == 7:
        cell.put(f"咨询补贴政策，来电号码已核实，产品编码{v.serial()}，版本{v.version()}。")
    else:
        cell.put(f"{r.choice(ISSUES)}。请").put(v.name(), "person_name").put("同志跟进，邮箱")
        cell.put(v.email(), "email")


def _school(v: Values, rows: int) -> Table:
    r = v.rng
    header = ["学号", "学生姓名", "公民身份号码", "班级", "家长姓名", "手机号码", "电子邮箱", "通讯地址",
              "登录IP", "客户端版本", "备注"]
    table = Table("school_students", header)
    for i in range(rows):
        cells = [Cell() for _ in header]
        born = v.birth(2008, 2016)
        cells[0].put(f"2024{r.randrange(1, 9):02d}{i:04d}")
        cells[1].put(v.name(), "person_name")
        cells[2].put(v.id_card(born, lower_x=r.random() < 0.3), "id_card")
        cells[3].put(f"{r.randrange(1, 7)}年级{r.randrange(1, 12)}班")
        if r.random() < 0.15:
            cells[4].put(v.name(), "person_name").put(r.choice((" ", "/", "，", "：", "")))
            cells[4].put(v.mobile(), "mobile")
        elif r.random() < 0.1:
            cells[4].put(v.name(), "person_name").put(r.choice(("（父亲）", "（母亲）", "(爷爷)")))
        else:
            cells[4].put(v.name(), "person_name")
        cells[5].put(v.mobile_typed(), "mobile")
        if r.random() < 0.7:
            cells[6].put(v.email(), "email")
        cells[7].put(v.address(), "address")
        cells[8].put(v.ip(), "ip")
        cells[9].put(v.version())
        style = r.randrange(5)
        if style == 0:
            cells[10].put("已办理港澳通行证").put(v.passport(), "passport")
        elif style == 1:
            cells[10].put("家长").put(v.name(), "person_name")
            cells[10].put("，备用电话").put(v.mobile_typed(), "mobile")
        elif style == 2:
            cells[10].put(f"{v.day()}转入，原学籍号G{v.id_card_bad_check()}")
        elif style == 3:
            cells[10].put(f"校服费{v.amount()}元已缴")
        table.rows.append([c.text for c in cells])
        table.truth.append([c.found for c in cells])
    return table


def _subsidy(v: Values, rows: int) -> Table:
    r = v.rng
    header = ["申请单位", "统一社会信用代码", "法定代表人", "申请人", "身份证号码", "手机", "办公电话",
              "银行卡号", "开户行", "车牌号", "车辆识别代号", "订单号", "补贴金额", "电子邮箱", "登录IP",
              "投诉内容", "护照号码"]
    table = Table("subsidy_applications", header)
    for _ in range(rows):
        cells = [Cell() for _ in header]
        cells[0].put(r.choice(COMPANIES + ORGANISATIONS))
        cells[1].put(v.uscc(), "uscc")
        cells[2].put(v.name(), "person_name")
        cells[3].put(v.name(), "person_name")
        cells[4].put(v.id_card(lower_x=r.random() < 0.3), "id_card")
        cells[5].put(v.mobile_typed(), "mobile")
        cells[6].put(v.landline(), "phone")
        cells[7].put(v.bank_card_typed(), "bank_card")
        cells[8].put(r.choice(BANKS) + r.choice(("天河支行", "南山支行", "营业部", "高新区支行")))
        cells[9].put(v.plate(), "plate")
        cells[10].put(v.vin())
        decoy = r.random()
        if decoy < 0.6:
            cells[11].put(v.order_number())
        elif decoy < 0.8:
            cells[11].put(v.id_card_bad_check())
        elif decoy < 0.9:
            cells[11].put(v.id_card_bad_date())
        else:
            cells[11].put(v.not_luhn())
        cells[12].put(v.amount())
        cells[13].put(v.email(), "email")
        cells[14].put(v.ip(), "ip")
        _subsidy_note(v, cells[15])
        if r.random() < 0.2:
            cells[16].put(v.passport(), "passport")
        table.rows.append([c.text for c in cells])
        table.truth.append([c.found for c in cells])
    return table


def _subsidy_note(v: Values, cell: Cell) -> None:
    r = v.rng
    style = r.randrange(7)
    if style == 0:
        cell.put("法定代表人").put(v.name(), "person_name").put("称补贴未到账，收款账户")
        cell.put(v.bank_card_typed(), "bank_card").put("，请核查")
    elif style == 1:
        cell.put(f"核对发票号{v.not_luhn()}与订单{v.order_number()}不符，金额{v.amount()}")
    elif style == 2:
        cell.put("委托代理人").put(v.name(), "person_name").put("（身份证号").put(v.id_card(), "id_card")
        cell.put("）代为办理，联系方式").put(v.mobile_typed(), "mobile")
    elif style == 3:
        cell.put(f"{r.choice(COMPANIES)}位于{r.choice(DISTRICT_WORDS)}，于{v.day()}提交材料")
    elif style == 4:
        cell.put("车主护照号").put(v.passport(), "passport").put("，车辆").put(v.plate(), "plate")
        cell.put("已上牌")
    elif style == 5:
        cell.put("申请人现住").put(v.address(), "address").put("，邮寄材料请联系").put(v.landline(), "phone")
    else:
        cell.put(f"系统版本{v.version()}，登录异常，设备{v.serial()}")


def generate(rows: int = 3000, seed: int = 7) -> list[Table]:
    """Four tables with ``rows`` rows between them, reproducible from ``seed``."""
    v = Values(random.Random(seed))
    share = rows // 4
    return [_hospital(v, share), _hotline(v, share), _school(v, share), _subsidy(v, rows - 3 * share)]
