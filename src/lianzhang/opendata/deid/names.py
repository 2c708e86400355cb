"""Chinese person names: surnames, characters that do not occur in given names, and the cues around names."""

from __future__ import annotations

import re

# Common single-character surnames (about 300, covering well over 95% of the population).
SINGLE_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌"
    "毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦"
    "麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩"
    "明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强"
    "帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓"
    "修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植"
    "衡富尧闭由"
)
COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "轩辕", "令狐", "钟离", "端木", "西门", "南宫", "独孤", "百里", "呼延", "澹台", "万俟", "闻人", "赫连",
)

# Characters that end a name in running text (verbs, particles, words for places and documents), so
# that "张伟电话" yields 张伟 and not 张伟电. A few rare given-name characters are lost; that is the trade.
NOT_GIVEN = (
    "的了是在和与及或等说称持办于年月日时分住家电话手机号码地址邮箱微信身份证男女性岁联系今已将因到去来为从向对"
    "被把给也都就还又后前中上下入出院诊治疗反映表示经人区市省县镇乡街路村所工作单位请拨打先生士某先姓名某患"
    "者病医护师老同教授主任经理总长科室部局厅处办公司厂店楼栋层号元编码码个位次周其这那您你我他她它们"
    "啊吗呢吧呀哦嗯有无不没很太最更再曾并且但而如若则即便虽以之所其是系于为由自在内外间里边面方"
    "：:，,。.；;！!？?（）()、 \t\n"
)
# Surname characters that are also common words before a name (和李女士, 这位王先生, 天河区陈先生): a
# reading of a name that starts with one gives way to a shorter reading. Surnames that are common words
# only elsewhere (主任, 周末, 曾经) are not listed, so 任军兰先生 and 曾红玉女士 keep their surname.
NAME_PREFIX_WORDS = "于但向和由那都时来位区楼路边公司"
# Two-character words that end in a surname character (感谢, 主任, 这位...): before an honorific the
# surname character belongs to the word, so 感谢张老师 is not read as the name 谢张.
WORDS_ENDING_IN_SURNAME = (
    "感谢", "多谢", "致谢", "谢谢", "答谢", "主任", "担任", "信任", "责任", "委任", "本周", "每周", "上周",
    "下周", "双方", "对方", "地方", "各方", "我方", "甲方", "乙方", "同时", "及时", "当时", "按时", "不曾",
    "未曾", "将来", "以来", "后来", "未来", "原来", "本来", "从来", "出来", "由于", "关于", "对于", "至于",
    "等于", "属于", "大于", "这位", "那位", "各位", "单位", "向来", "公司", "上司", "老师",
)
NAME_HEADER_WORDS = (
    "姓名", "名字", "联系人", "负责人", "经办人", "申请人", "法定代表人", "法人", "患者", "病人", "学生",
    "教师", "老师", "医生", "护士", "员工", "职工", "户主", "家长", "监护人", "收件人", "收货人", "投保人",
    "被保险人", "就诊人", "客户", "户名", "持卡人", "开户人", "收款人", "付款人", "来电人", "投诉人",
    "举报人", "反映人", "诉求人", "求助人", "报案人", "当事人", "委托人", "代理人", "被申请人", "车主",
    "业主", "驾驶人", "驾驶员", "承租人", "房东", "租户", "住户", "责任人", "填报人", "受理人", "医师",
    "name", "contact", "patient",
)
# Headers that merely contain a name word but hold something else.
NOT_NAME_HEADER_WORDS = (
    "单位", "企业", "公司", "机构", "医院", "学校", "部门", "名称", "电话", "手机", "号", "地址",
)

CUES_BEFORE = (
    "姓名", "联系人", "患者", "病人", "申请人", "负责人", "经办人", "户主", "家长", "监护人", "收件人",
    "收货人", "法定代表人", "法人代表", "被保险人", "投保人", "就诊人", "学生", "员工", "委托人", "受托人",
    "当事人", "户名", "持卡人", "开户人", "收款人", "付款人", "来电人", "投诉人", "举报人", "反映人",
    "代理人", "家属", "医师", "业主", "车主", "驾驶员", "配偶", "丈夫", "妻子", "父亲", "母亲",
    "签收人", "寄件人", "办理人", "承办人", "报案人", "求助人", "客户", "医生", "护士", "教师", "股东",
)
# Left out although they precede names (市民, 女儿...): their first characters are so common (市 in every
# address, 女 in every sex column) that trying the cue there costs more scan time than the names it finds.
# Honorifics after a name; all have two characters (detect.NAME_AFTER relies on it).
CUES_AFTER = ("先生", "女士", "小姐", "同志", "老师", "医生", "同学", "护士", "教授", "主任", "师傅", "阿姨")

_SINGLE = "".join(sorted(set(SINGLE_SURNAMES)))
_NOT_GIVEN = re.escape("".join(sorted(set(NOT_GIVEN))))
SINGLE_RE = f"[{_SINGLE}]"
COMPOUND_RE = "(?:" + "|".join(COMPOUND_SURNAMES) + ")"
NOT_GIVEN_RE = f"[{_NOT_GIVEN}]"
SURNAME_RE = "(?:" + "|".join(COMPOUND_SURNAMES) + f"|[{_SINGLE}])"
GIVEN_RE = f"(?:(?![{_NOT_GIVEN}])[\u3400-\u9fff])"

FULL_NAME = re.compile(f"{SURNAME_RE}{GIVEN_RE}{{1,2}}")
# Names of some minorities and foreigners written with a middle dot: 阿依古丽·买买提.
DOTTED_NAME = re.compile("[\u3400-\u9fff]{1,8}[·•・][\u3400-\u9fff]{1,8}")
CJK_NAME_SHAPE = re.compile("[\u3400-\u9fff]{2,4}")
# Where a name's end is known (a whole cell of a names column, a cue word before and punctuation after),
# its given name may use characters that NOT_GIVEN keeps out of running text: 张和平, 吴家豪, 章建中, 李有才.
# Honorifics stay out (王先生 is not a name, see detect.NAME_AFTER), and so do 某, words of places and
# the other characters of NOT_GIVEN.
# Characters of NOT_GIVEN that are common in given names.
NAME_OK = "和家中有长月来生治"
_NOT_LOOSE = re.escape("".join(sorted(set(NOT_GIVEN) - set(NAME_OK))))
LOOSE_GIVEN_RE = f"(?:(?![{_NOT_LOOSE}])[\u3400-\u9fff])"
HONORIFIC_RE = "(?:" + "|".join(CUES_AFTER) + ")"
LOOSE_NAME_RE = f"{SURNAME_RE}(?!{HONORIFIC_RE}){LOOSE_GIVEN_RE}{{1,2}}"
LOOSE_NAME = re.compile(LOOSE_NAME_RE)


def looks_like_name(value: str) -> bool:
    """True when a whole value has the shape of a Chinese personal name."""
    if "某" in value:  # already anonymised (王某某)
        return False
    return FULL_NAME.fullmatch(value) is not None or DOTTED_NAME.fullmatch(value) is not None


PADDED_NAME_RE = f"{SINGLE_RE}[ \u3000]{{1,2}}{LOOSE_GIVEN_RE}"
CELL_NAME_RE = f"(?:{PADDED_NAME_RE}|{LOOSE_NAME_RE}|{DOTTED_NAME.pattern})"
# What may follow a name at the start of a cell of a names column: a number, a bracketed note, a
# separator, or a placeholder left by redaction (<mobile>).
AFTER_CELL_NAME = "[ \u3000/，,、;；:：（(<0-9+]"
LEADING_NAME = re.compile(f"{CELL_NAME_RE}(?={AFTER_CELL_NAME}|$)")


def looks_like_cell_name(value: str) -> bool:
    """True when a whole cell of a column of names is a name (the looser test of LOOSE_NAME)."""
    if "某" in value:
        return False
    return re.fullmatch(CELL_NAME_RE, value) is not None


def leading_name(value: str) -> int:
    """Length of the name that fills or opens a cell of a names column (0 when there is none)."""
    m = LEADING_NAME.match(value)
    return m.end() if m is not None and "某" not in m.group() else 0


def name_header(header: str) -> bool:
    """True when a column header says the column holds people's names."""
    low = header.strip().lower()
    if any(word in low for word in NOT_NAME_HEADER_WORDS):
        return low in ("姓名", "名字")
    return any(word in low for word in NAME_HEADER_WORDS)
