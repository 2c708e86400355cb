"""Word lists for the synthetic demo registry: invented names, business-scope items, products.

Every list here is plain data. In scope and product items the evidence term (the words that
tell a reader which chain node the item belongs to) is marked with 【】; the generator strips
the brackets and records the term as evidence of the assignment.
"""

from __future__ import annotations

from dataclasses import dataclass

# The marker every invented enterprise and park name ends with, so that demo rows can never be
# mistaken for real registrations, whichever page or export they turn up in.
DEMO_MARKER = "（演示）"


@dataclass(frozen=True)
class NodeProfile:
    """How firms of one AI chain node look: name words, scope items, products, figures."""

    words: tuple[str, ...]  # industry words used in firm names (…视觉科技有限公司)
    scope: tuple[str, ...]  # 经营范围 items, evidence term in 【】
    products: tuple[str, ...]  # products, evidence term in 【】
    trade: tuple[str, ...]  # ordinary items such firms usually register as well
    topics: tuple[str, ...]  # project topics
    related: tuple[str, ...]  # nodes a firm of this node often also works in
    weight: float  # relative number of firms (before the city flavour)
    hardware: bool  # hardware makers have more revenue per head and more patents
    rd: float  # median R&D intensity (R&D spend / revenue)
    ai_share: tuple[float, float]  # range of AI revenue / revenue
    licences: tuple[str, ...] = ()  # 许可项目 such firms may hold


@dataclass(frozen=True)
class TradeProfile:
    """How one kind of ordinary (non-AI) firm looks; several are look-alikes of AI nodes."""

    key: str
    words: tuple[str, ...]
    scope: tuple[str, ...]
    products: tuple[str, ...]
    licences: tuple[str, ...]
    cities: tuple[tuple[str, float], ...]  # relative weight of the kind in each city
    revenue_per_head: float  # yuan per employee per year
    rd: float  # median R&D intensity (often 0)
    high_tech: float  # chance of holding 高新技术企业


# Relative number of firms per city when all three are given (by PlaceSpec.city).
CITY_SHARES: tuple[tuple[str, float], ...] = (
    ("广州市", 0.55),
    ("东莞市", 0.30),
    ("中山市", 0.15),
)
OTHER_CITY_SHARE = 0.10

# Multipliers of node popularity per city: what each city's plan says it is strong in.
CITY_FLAVOUR: dict[str, dict[str, float]] = {
    "广州市": {
        "basesoft": 2.0, "models": 2.5, "vision": 1.8, "speech": 1.8, "nlp": 2.0,
        "biometrics": 1.5, "compute": 1.6, "data": 1.6, "vehicle": 2.2, "health": 2.0,
        "city": 2.2, "education": 1.6, "finance": 1.8, "transport": 1.5, "hci": 1.3,
        "odm": 0.3, "phone": 0.4, "motion": 0.5, "home": 0.5,
    },
    "东莞市": {
        "odm": 3.5, "phone": 3.5, "robot": 2.2, "motion": 2.8, "sensor": 2.2,
        "wearable": 2.5, "display": 2.2, "chip": 1.3, "manufacturing": 1.6, "drone": 1.3,
        "models": 0.4, "nlp": 0.4, "finance": 0.4, "city": 0.6, "health": 0.5,
        "education": 0.6, "basesoft": 0.4,
    },
    "中山市": {
        "home": 5.0, "manufacturing": 1.8, "robot": 1.3, "motion": 1.3, "sensor": 1.2,
        "security": 1.2, "health": 0.8, "models": 0.2, "basesoft": 0.2, "chip": 0.4,
        "nlp": 0.4, "finance": 0.3, "vehicle": 0.5, "phone": 0.5, "compute": 0.4,
    },
}

# Default popularity of a node that has no profile, by layer: more firms apply AI than build it.
LAYER_WEIGHTS: dict[str, float] = {"基础层": 1.5, "技术层": 2.5, "应用层": 3.5}

NODE_PROFILES: dict[str, NodeProfile] = {
    "chip": NodeProfile(
        words=("微电子", "半导体", "芯片科技", "集成电路"),
        scope=(
            "【集成电路芯片设计】及服务", "【集成电路设计】", "【集成电路芯片及产品】销售",
            "【人工智能芯片】研发", "【边缘计算芯片】设计", "【神经网络处理器】研发",
        ),
        products=(
            "【AI视觉处理芯片】", "【边缘计算SoC】芯片", "【NPU】IP核授权", "【语音识别芯片】",
            "【智能电源管理芯片】", "【物联网主控芯片】",
        ),
        trade=("电子元器件批发", "电子元器件零售", "技术进出口", "货物进出口", "电子产品销售"),
        topics=(
            "面向边缘端的低功耗AI推理芯片", "机器人专用运动控制芯片", "智能摄像头视觉处理SoC",
            "端侧离线语音识别芯片", "存算一体神经网络加速器",
        ),
        related=("compute", "vision", "speech", "phone", "robot", "vehicle"),
        weight=1.0, hardware=True, rd=0.22, ai_share=(0.5, 1.0),
    ),
    "sensor": NodeProfile(
        words=("传感技术", "传感器", "感知科技", "测控技术"),
        scope=(
            "【敏感元件及传感器】制造", "【传感器】销售", "【智能仪器仪表】制造",
            "【激光雷达】研发", "【雷达及配套设备】制造", "【MEMS传感器】研发",
            "【图像传感器】模组研发",
        ),
        products=(
            "【MEMS惯性传感器】", "【毫米波雷达】模组", "【激光雷达】", "【智能温湿度传感器】",
            "【ToF深度传感器】", "【触觉传感器】阵列",
        ),
        trade=("电子元器件制造", "电子元器件批发", "仪器仪表销售", "货物进出口", "技术进出口"),
        topics=(
            "车规级毫米波雷达", "高精度MEMS惯性测量单元", "机器人触觉传感阵列",
            "工业三维测量传感器",
        ),
        related=("vehicle", "robot", "drone", "manufacturing", "security", "chip"),
        weight=2.0, hardware=True, rd=0.09, ai_share=(0.2, 0.7),
    ),
    "motion": NodeProfile(
        words=("运动控制", "伺服技术", "驱动技术", "精密传动"),
        scope=(
            "【伺服控制机构】制造", "【伺服控制机构】销售", "【电机及其控制系统】研发",
            "【运动控制器】研发", "【工业自动控制系统装置】制造", "【精密减速器】制造",
        ),
        products=(
            "【交流伺服驱动器】", "【多轴运动控制卡】", "【谐波减速器】", "【直线电机】模组",
            "【一体化关节模组】", "【EtherCAT运动控制器】",
        ),
        trade=(
            "机械设备销售", "电气机械设备销售", "五金产品批发", "通用设备制造（不含特种设备制造）",
            "货物进出口",
        ),
        topics=("高动态响应交流伺服系统", "机器人一体化关节", "国产精密谐波减速器"),
        related=("robot", "manufacturing", "decision"),
        weight=2.0, hardware=True, rd=0.07, ai_share=(0.2, 0.6),
    ),
    "display": NodeProfile(
        words=("光电显示", "显示技术", "光学科技", "显示器件"),
        scope=(
            "【显示器件】制造", "【光电子器件】制造", "【Micro LED显示】研发", "【3D视觉模组】研发",
            "【结构光模组】研发", "【光学镜头】制造",
        ),
        products=(
            "【Micro LED】微显示屏", "【结构光3D相机】模组", "【AR光波导】镜片", "【车载曲面显示屏】",
            "【ToF深度相机】",
        ),
        trade=("电子元器件制造", "电子产品销售", "货物进出口", "光学玻璃销售"),
        topics=("硅基Micro OLED微显示", "结构光三维视觉模组", "AR衍射光波导"),
        related=("phone", "wearable", "hci", "vehicle"),
        weight=1.5, hardware=True, rd=0.08, ai_share=(0.2, 0.6),
    ),
    "odm": NodeProfile(
        words=("电子", "智能硬件", "精密电子", "电子科技"),
        scope=(
            "【智能硬件】研发、设计、制造", "【物联网设备】制造", "【智能终端ODM】服务",
            "【消费电子】产品研发", "【智能硬件】快速打样服务",
        ),
        products=(
            "【智能音箱】ODM方案", "【TWS耳机】整机代工", "【智能手表ODM】", "【物联网模组】",
            "【智能平板】整机", "【AI学习机】整机",
        ),
        trade=(
            "电子元器件制造", "电子产品销售", "模具制造", "塑料制品制造", "货物进出口",
            "电子元器件与机电组件设备制造",
        ),
        topics=("智能硬件柔性制造产线", "TWS耳机整机ODM", "小批量智能硬件快速打样平台"),
        related=("phone", "wearable", "home", "speech"),
        weight=3.0, hardware=True, rd=0.04, ai_share=(0.1, 0.5),
    ),
    "compute": NodeProfile(
        words=("云计算", "算力科技", "云科技", "计算技术"),
        scope=(
            "【云计算装备技术服务】", "【智能计算中心】运营", "【GPU算力】租赁服务",
            "【云计算】技术服务", "【边缘计算】设备研发", "【算力调度】平台开发",
        ),
        products=(
            "【GPU算力】租用", "【AI训练集群】托管", "【边缘计算】一体机", "【私有云】平台",
            "【模型推理服务】",
        ),
        trade=("数据处理和存储支持服务", "信息系统集成服务", "计算机系统服务", "信息技术咨询服务"),
        topics=("人工智能公共算力服务平台", "智能计算中心", "边缘推理算力调度"),
        related=("models", "data", "basesoft"),
        weight=1.5, hardware=False, rd=0.08, ai_share=(0.3, 0.9),
        licences=("第一类增值电信业务", "第二类增值电信业务", "互联网信息服务"),
    ),
    "data": NodeProfile(
        words=("数据科技", "数据服务", "数智科技", "信息技术"),
        scope=(
            "【数据标注】服务", "【人工智能公共数据平台】", "【训练数据】采集与加工",
            "【语料库】建设", "【数据采集与标注】",
        ),
        products=(
            "【图像数据标注】", "【语音语料】采集", "【自动驾驶点云标注】", "【行业训练数据集】",
            "【数据标注平台】",
        ),
        trade=(
            "数据处理服务", "信息技术咨询服务", "软件开发",
            "人力资源服务（不含职业中介活动、劳务派遣服务）",
        ),
        topics=("行业大模型高质量训练数据集", "自动驾驶多模态数据标注平台", "粤语语音语料库"),
        related=("models", "vision", "speech", "nlp"),
        weight=2.0, hardware=False, rd=0.05, ai_share=(0.4, 1.0),
        licences=("第二类增值电信业务",),
    ),
    "basesoft": NodeProfile(
        words=("软件", "智能软件", "软件技术"),
        scope=(
            "【人工智能基础软件】开发", "【人工智能理论与算法软件】开发", "【深度学习框架】研发",
            "【人工智能中间件】开发", "【机器学习平台】开发",
        ),
        products=(
            "【深度学习推理框架】", "【AI模型部署中间件】", "【机器学习平台】", "【算子加速库】",
            "【AutoML】建模工具",
        ),
        trade=("软件开发", "软件销售", "信息系统集成服务", "计算机系统服务"),
        topics=("国产深度学习推理框架", "异构算力AI中间件", "面向国产芯片的算子加速库"),
        related=("models", "compute", "decision"),
        weight=1.5, hardware=False, rd=0.25, ai_share=(0.6, 1.0),
    ),
    "models": NodeProfile(
        words=("智能科技", "人工智能科技", "智算科技"),
        scope=(
            "【人工智能基础资源与技术平台】", "【大模型】研发", "【人工智能通用应用系统】",
            "【生成式人工智能】服务", "【算法开放平台】运营",
        ),
        products=(
            "【行业大模型】", "【多模态大模型】", "【大模型】私有化部署", "【智能体】开发平台",
            "【AIGC】内容生成服务",
        ),
        trade=("软件开发", "信息技术咨询服务", "数据处理服务", "计算机系统服务"),
        topics=("面向政务的行业大模型", "多模态大模型训练与推理", "大模型智能体开发平台"),
        related=("nlp", "vision", "basesoft", "city", "finance", "education"),
        weight=2.5, hardware=False, rd=0.30, ai_share=(0.6, 1.0),
        licences=("第二类增值电信业务", "互联网信息服务"),
    ),
    "vision": NodeProfile(
        words=("视觉科技", "图像技术", "视觉技术", "影像科技"),
        scope=(
            "【计算机视觉】软件开发", "【机器视觉】系统研发", "【图像识别】技术开发",
            "【视频结构化】分析服务", "【视觉检测】设备制造",
        ),
        products=(
            "AI【视觉检测】一体机", "【工业相机】", "【视频结构化】分析平台", "【缺陷检测算法】",
            "【OCR文字识别】", "【智能视频分析】服务器",
        ),
        trade=("软件开发", "信息系统集成服务", "电子产品销售", "计算机软硬件及辅助设备零售"),
        topics=(
            "3C产品外观缺陷机器视觉检测", "复杂场景视频结构化分析", "基于深度学习的工业视觉质检",
        ),
        related=("security", "manufacturing", "vehicle", "health", "robot", "biometrics"),
        weight=5.0, hardware=False, rd=0.18, ai_share=(0.5, 1.0),
    ),
    "speech": NodeProfile(
        words=("声学科技", "语音科技", "声学技术"),
        scope=(
            "【语音识别】技术开发", "【语音合成】技术服务", "【智能语音】系统开发",
            "【麦克风阵列】研发", "【智能语音交互】系统",
        ),
        products=(
            "离线【语音识别】模组", "【智能语音客服】", "【语音合成】引擎", "会议【语音转写】系统",
            "车载【语音助手】",
        ),
        trade=("软件开发", "电子产品销售", "信息技术咨询服务", "音响设备制造"),
        topics=("粤语语音识别与合成", "远场语音交互模组", "多语种会议语音转写"),
        related=("phone", "home", "education", "vehicle", "odm"),
        weight=2.5, hardware=False, rd=0.18, ai_share=(0.5, 1.0),
    ),
    "nlp": NodeProfile(
        words=("信息科技", "知识科技", "语义科技"),
        scope=(
            "【自然语言处理】技术开发", "【知识图谱】构建服务", "【机器翻译】软件开发",
            "【智能问答】系统开发", "【文本挖掘】服务", "【自然语言理解】软件开发",
        ),
        products=(
            "政务【知识图谱】", "【智能客服】系统", "合同【智能审查】", "【机器翻译】引擎",
            "网络【舆情分析】系统",
        ),
        trade=("软件开发", "信息技术咨询服务", "数据处理服务", "信息系统集成服务"),
        topics=("政务服务知识图谱", "面向法律文书的自然语言理解", "粤港澳多语种机器翻译"),
        related=("city", "finance", "education", "health", "models"),
        weight=3.0, hardware=False, rd=0.20, ai_share=(0.5, 1.0),
        licences=("第二类增值电信业务",),
    ),
    "biometrics": NodeProfile(
        words=("识别技术", "生物识别", "安全科技"),
        scope=(
            "【生物特征识别】软件开发", "【人脸识别】技术研发", "【指纹识别】模组制造",
            "【虹膜识别】技术开发", "【声纹识别】技术服务", "【掌静脉识别】设备研发",
        ),
        products=(
            "【人脸识别】门禁终端", "【指纹识别】模组", "【活体检测】SDK", "【掌静脉】支付终端",
            "【人证核验】一体机",
        ),
        trade=("软件开发", "电子产品销售", "安防设备销售", "计算机软硬件及辅助设备批发"),
        topics=("多模态活体检测", "非接触掌静脉识别", "跨境通关人证核验"),
        related=("security", "finance", "phone", "city"),
        weight=2.0, hardware=False, rd=0.16, ai_share=(0.5, 1.0),
    ),
    "hci": NodeProfile(
        words=("虚拟现实科技", "交互科技", "数字科技", "互动科技"),
        scope=(
            "【虚拟现实设备】制造", "【增强现实】技术开发", "【人机交互】系统研发",
            "【数字人】技术开发", "【手势识别】技术开发", "【脑机接口】技术研发",
        ),
        products=(
            "【VR一体机】", "【AR眼镜】", "【虚拟数字人】", "【全息交互】展示系统",
            "【手势识别】模组", "【脑机接口】头环",
        ),
        trade=("数字内容制作服务（不含出版发行）", "软件开发", "电子产品销售", "会议及展览服务"),
        topics=("沉浸式虚拟实训平台", "政务服务虚拟数字人", "消费级脑机接口"),
        related=("phone", "education", "wearable", "vehicle", "display"),
        weight=2.5, hardware=False, rd=0.15, ai_share=(0.4, 1.0),
        licences=("网络文化经营",),
    ),
    "decision": NodeProfile(
        words=("智能控制", "控制技术", "导航科技"),
        scope=(
            "【智能控制系统集成】", "【自主导航】技术研发", "【路径规划】算法开发",
            "【智能决策】系统开发", "【SLAM】定位导航技术开发",
        ),
        products=(
            "激光【SLAM】导航控制器", "【智能排产】决策系统", "【多机调度】系统",
            "北斗【高精度定位】模块", "【自主导航】控制器",
        ),
        trade=("工业控制计算机及系统销售", "软件开发", "卫星导航服务", "电子产品销售"),
        topics=("移动机器人自主导航", "复杂工况智能决策控制", "多智能体协同调度"),
        related=("robot", "vehicle", "drone", "manufacturing", "transport"),
        weight=2.0, hardware=False, rd=0.16, ai_share=(0.5, 1.0),
    ),
    "robot": NodeProfile(
        words=("机器人", "智能装备", "机器人技术", "自动化科技"),
        scope=(
            "【工业机器人】制造", "【工业机器人】销售", "【智能机器人】的研发", "【智能机器人】销售",
            "【服务消费机器人】制造", "【特殊作业机器人】制造", "【协作机器人】研发",
        ),
        products=(
            "六轴【工业机器人】", "【SCARA机器人】", "【协作机器人】", "【AMR移动机器人】",
            "商用【清洁机器人】", "【配送机器人】", "【巡检机器人】",
        ),
        trade=(
            "机械设备销售", "通用设备制造（不含特种设备制造）", "机械电气设备制造", "货物进出口",
            "专用设备修理",
        ),
        topics=("协作机器人力控柔顺装配", "复合移动机器人", "智能检测型机器人", "机器人集成应用"),
        related=("motion", "vision", "decision", "manufacturing", "transport"),
        weight=5.0, hardware=True, rd=0.08, ai_share=(0.4, 1.0),
    ),
    "phone": NodeProfile(
        words=("通讯科技", "移动通信", "通信技术", "智能终端"),
        scope=(
            "【移动终端设备】制造", "【移动通信设备】制造", "【智能手机】研发",
            "【通信设备】制造", "【智能终端】研发",
        ),
        products=(
            "5G【智能手机】", "三防【智能手机】", "【手机主板】", "儿童【智能手机】",
            "行业【智能终端】",
        ),
        trade=("电子产品销售", "通讯设备销售", "电子元器件制造", "货物进出口", "模具制造"),
        topics=("端侧大模型智能手机", "手机影像AI算法", "5G行业智能终端"),
        related=("odm", "display", "speech", "wearable", "chip"),
        weight=2.5, hardware=True, rd=0.05, ai_share=(0.1, 0.4),
    ),
    "wearable": NodeProfile(
        words=("智能穿戴", "电子科技", "穿戴科技"),
        scope=(
            "【可穿戴智能设备】制造", "【可穿戴智能设备】销售", "【智能手表】研发",
            "【智能眼镜】研发", "【健康监测手环】研发",
        ),
        products=(
            "【智能手表】", "【智能手环】", "儿童【定位手表】", "【智能眼镜】", "【智能戒指】",
        ),
        trade=("电子产品销售", "电子元器件制造", "互联网销售（除销售需要许可的商品）", "货物进出口"),
        topics=("可穿戴设备健康监测算法", "低功耗智能手表", "AI翻译智能眼镜"),
        related=("phone", "health", "odm", "hci"),
        weight=3.0, hardware=True, rd=0.06, ai_share=(0.2, 0.8),
    ),
    "drone": NodeProfile(
        words=("无人机", "航空科技", "无人系统", "智能飞行"),
        scope=(
            "【智能无人飞行器】制造", "【智能无人飞行器】销售", "【无人机】研发",
            "【智能无人系统】研发", "【无人机巡检】服务",
        ),
        products=(
            "植保【无人机】", "电力巡检【无人机】", "【无人机机场】", "测绘【无人机】",
            "【无人水面艇】",
        ),
        trade=("电子产品销售", "机械设备销售", "货物进出口", "技术进出口"),
        topics=("全自主无人机巡检", "城市低空物流无人机", "无人水面艇集群"),
        related=("decision", "security", "transport", "sensor"),
        weight=2.0, hardware=True, rd=0.10, ai_share=(0.4, 1.0),
        licences=("通用航空服务", "民用航空器驾驶员培训", "测绘服务"),
    ),
    "vehicle": NodeProfile(
        words=("智能汽车科技", "汽车电子", "智能驾驶", "智行科技"),
        scope=(
            "【智能车载设备】制造", "【智能车载设备】销售", "【自动驾驶】技术研发",
            "【高级驾驶辅助系统】研发", "【车路协同】系统开发", "【智能网联汽车】技术服务",
        ),
        products=(
            "L4级【自动驾驶】套件", "【ADAS】控制器", "【智能座舱】域控制器",
            "【Robotaxi】出行服务", "【车路协同】路侧单元", "【自动泊车】系统",
        ),
        trade=("汽车零部件研发", "汽车零配件批发", "软件开发", "电子产品销售"),
        topics=("城市道路L4级自动驾驶", "车路协同路侧感知", "智能座舱多模态交互"),
        related=("sensor", "decision", "speech", "transport", "chip", "hci"),
        weight=3.0, hardware=True, rd=0.15, ai_share=(0.3, 1.0),
        licences=("检验检测服务",),
    ),
    "manufacturing": NodeProfile(
        words=("智能装备", "工业互联网", "智能制造", "智造科技"),
        scope=(
            "【智能基础制造装备】制造", "【工业互联网】平台开发", "【数字化车间】解决方案",
            "【预测性维护】系统开发", "【工业控制计算机及系统】制造", "【数字孪生】工厂开发",
        ),
        products=(
            "【柔性制造单元】", "设备【预测性维护】平台", "【数字孪生】工厂", "【智能产线】集成",
            "【工业互联网】平台", "【智能检测装配线】",
        ),
        trade=(
            "机械设备销售", "工业设计服务", "通用设备制造（不含特种设备制造）", "软件开发",
            "机械零件、零部件加工",
        ),
        topics=("家电行业智能工厂", "注塑车间数字孪生", "模具行业智能排产", "设备预测性维护"),
        related=("robot", "vision", "decision", "motion", "sensor"),
        weight=6.0, hardware=True, rd=0.06, ai_share=(0.2, 0.8),
    ),
    "home": NodeProfile(
        words=("智能家居", "智能电器", "家电科技"),
        scope=(
            "【智能家庭消费设备】制造", "【智能家庭消费设备】销售", "【智能家居】系统研发",
            "【智能家电】研发", "【全屋智能】方案设计",
        ),
        products=(
            "【智能空调】", "语音控制【智能灯具】", "【智能门锁】", "【扫地机器人】",
            "【智能油烟机】", "【全屋智能】网关", "【智能照明控制】系统", "【智能窗帘】电机",
        ),
        trade=("家用电器制造", "家用电器销售", "照明器具制造", "五金产品制造", "模具制造"),
        topics=("家电语音交互模组", "全屋智能场景联动", "智能照明自适应控制"),
        related=("speech", "odm", "robot", "sensor"),
        weight=4.0, hardware=True, rd=0.04, ai_share=(0.1, 0.5),
    ),
    "security": NodeProfile(
        words=("安防科技", "智能安全", "视讯科技"),
        scope=(
            "【智能安防】系统研发", "【数字视频监控系统】制造", "【视频智能分析】服务",
            "【智能视频监控】系统集成", "【周界入侵检测】系统开发",
        ),
        products=(
            "AI【智能摄像机】", "【智能视频分析】平台", "【周界防范雷达】", "边缘【智能NVR】",
            "【雪亮工程】视频平台",
        ),
        trade=("安防设备销售", "信息系统集成服务", "电子产品销售", "计算机软硬件及辅助设备零售"),
        topics=("城中村智能安防", "视频智能分析边缘盒", "重点区域周界智能防范"),
        related=("vision", "biometrics", "city", "drone"),
        weight=4.5, hardware=False, rd=0.10, ai_share=(0.3, 0.9),
        licences=("建设工程施工",),
    ),
    "health": NodeProfile(
        words=("医疗科技", "健康科技", "医学影像科技"),
        scope=(
            "【智慧健康系统】开发", "【医学影像辅助诊断】软件开发", "【远程健康管理服务】",
            "【智慧医疗】系统集成", "【康复机器人】研发",
        ),
        products=(
            "肺结节CT【辅助诊断】系统", "病理切片【智能分析】", "【慢病健康管理】平台",
            "眼底影像【AI筛查】", "【康复训练机器人】", "【智能导诊】系统",
        ),
        trade=("第二类医疗器械销售", "第一类医疗器械销售", "软件开发", "健康咨询服务（不含诊疗服务）"),
        topics=("医学影像智能辅助诊断", "社区慢病智能管理", "智能康复训练"),
        related=("vision", "nlp", "wearable", "robot"),
        weight=3.5, hardware=False, rd=0.15, ai_share=(0.4, 1.0),
        licences=("第二类医疗器械生产", "第三类医疗器械经营", "医疗器械互联网信息服务"),
    ),
    "transport": NodeProfile(
        words=("智慧交通", "物流科技", "交通科技", "智运科技"),
        scope=(
            "【智能交通】系统开发", "【交通信号智能控制】系统", "【智能仓储装备】销售",
            "【无人配送】技术研发", "【智能物流】系统集成",
        ),
        products=(
            "AI【信号灯控制】系统", "【智能仓储】AGV", "【无人配送车】", "物流【路径规划】系统",
            "【交通态势感知】平台",
        ),
        trade=("软件开发", "信息系统集成服务", "机械设备销售", "供应链管理服务"),
        topics=("城市路口信号智能优化", "港口无人集卡调度", "末端无人配送"),
        related=("decision", "vehicle", "robot", "city"),
        weight=3.0, hardware=False, rd=0.10, ai_share=(0.3, 0.9),
    ),
    "city": NodeProfile(
        words=("数字科技", "智慧城市", "城市科技"),
        scope=(
            "【智慧城市】系统集成", "【数字孪生城市】平台开发", "【智慧政务】平台开发",
            "【城市运行管理】平台", "【网格化治理】系统开发",
        ),
        products=(
            "【城市运行管理】平台", "政务【智能审批】", "【数字孪生城市】平台",
            "【智能政务机器人】", "城市事件【智能分拨】", "12345热线【智能分派】",
        ),
        trade=("信息系统集成服务", "软件开发", "信息技术咨询服务", "数据处理服务"),
        topics=("城市治理事件智能分拨", "智慧政务审批", "数字孪生城市底座"),
        related=("nlp", "vision", "models", "security", "transport"),
        weight=4.0, hardware=False, rd=0.10, ai_share=(0.3, 0.9),
        licences=("建设工程施工", "第二类增值电信业务"),
    ),
    "education": NodeProfile(
        words=("教育科技", "智慧教育", "学习科技"),
        scope=(
            "【智慧教育】平台开发", "【智能阅卷】系统开发", "【自适应学习】系统开发",
            "【智能教学】设备制造", "【教育机器人】研发",
        ),
        products=(
            "【智能阅卷机】", "【智能助教机器人】", "学生【知识点评估】系统", "AI【口语测评】",
            "【编程教育机器人】",
        ),
        trade=(
            "教育咨询服务（不含涉许可审批的教育培训活动）", "软件开发", "教学专用仪器销售",
            "办公设备销售",
        ),
        topics=("中学英语AI口语测评", "区域智慧课堂", "知识点自适应学习"),
        related=("nlp", "speech", "hci", "models"),
        weight=3.0, hardware=False, rd=0.12, ai_share=(0.3, 1.0),
        licences=("第二类增值电信业务", "出版物零售"),
    ),
    "finance": NodeProfile(
        words=("金融科技", "金融信息技术", "数字金融科技"),
        scope=(
            "【金融电子应用产品】制造", "【智能风控】系统开发", "【智能柜员机】研发",
            "【票据智能识别】技术开发", "【反欺诈】模型开发",
        ),
        products=(
            "【智能风控】平台", "【智能柜员机】", "【反欺诈】决策引擎", "票据【影像识别】",
            "保险【智能核赔】",
        ),
        trade=("软件开发", "信息技术咨询服务", "数据处理服务", "计算机软硬件及辅助设备批发"),
        topics=("中小微企业智能风控", "银行网点智能柜员机", "保险理赔智能核赔"),
        related=("nlp", "biometrics", "decision", "models"),
        weight=2.5, hardware=False, rd=0.14, ai_share=(0.3, 0.9),
        licences=("第二类增值电信业务",),
    ),
}

# Ordinary firms. Several share words with AI nodes (安防, 智能, 手机, 软件, 物流, 芯片) on
# purpose: a classifier must tell a security-guard company from an intelligent-security one.
TRADE_PROFILES: tuple[TradeProfile, ...] = (
    TradeProfile(
        key="trading",
        words=("贸易", "商贸", "进出口贸易", "供应链管理"),
        scope=(
            "电子产品销售", "电子元器件批发", "集成电路芯片及产品销售", "五金产品批发",
            "日用百货销售", "服装服饰批发", "货物进出口", "技术进出口", "国内贸易代理",
            "化工产品销售（不含许可类化工产品）", "针纺织品销售", "建筑材料销售",
        ),
        products=("电子元器件分销", "进口日用百货", "五金建材批发", "纺织原料贸易"),
        licences=("食品销售",),
        cities=(("广州市", 1.0), ("东莞市", 0.8), ("中山市", 0.7)),
        revenue_per_head=2_000_000, rd=0.0, high_tech=0.0,
    ),
    TradeProfile(
        key="catering",
        words=("餐饮管理", "餐饮服务", "饮食文化"),
        scope=(
            "餐饮管理", "食品销售（仅销售预包装食品）", "外卖递送服务", "会议及展览服务",
            "日用品销售", "食用农产品零售", "企业管理咨询",
        ),
        products=("粤式茶点", "企业团餐配送", "中央厨房净菜", "烧腊快餐"),
        licences=("餐饮服务", "食品经营", "酒类经营"),
        cities=(("广州市", 1.0), ("东莞市", 0.6), ("中山市", 0.6)),
        revenue_per_head=250_000, rd=0.0, high_tech=0.0,
    ),
    TradeProfile(
        key="logistics",
        words=("物流", "供应链", "货运代理", "仓储服务"),
        scope=(
            "普通货物仓储服务（不含危险化学品等需许可审批的项目）", "国内货物运输代理",
            "国际货物运输代理", "装卸搬运", "供应链管理服务", "道路货物运输站经营",
            "信息咨询服务（不含许可类信息咨询服务）", "包装服务",
            "低温仓储（不含危险化学品等需许可审批的项目）",
        ),
        products=("城市配送", "仓储托管", "跨境电商小包", "冷链运输"),
        licences=("道路货物运输（不含危险货物）", "城市配送运输服务（不含危险货物）"),
        cities=(("广州市", 0.9), ("东莞市", 0.9), ("中山市", 0.6)),
        revenue_per_head=600_000, rd=0.0, high_tech=0.0,
    ),
    TradeProfile(
        key="erp",
        words=("软件", "信息技术", "网络科技", "计算机系统"),
        scope=(
            "软件开发", "软件销售", "信息系统集成服务", "信息技术咨询服务",
            "计算机软硬件及辅助设备零售", "网络技术服务", "计算机系统服务", "数据处理服务",
            "信息系统运行维护服务", "网络与信息安全软件开发",
        ),
        products=(
            "ERP企业管理软件", "进销存管理系统", "财务软件实施服务", "OA协同办公系统",
            "门店收银系统", "人事考勤系统", "网站建设", "小程序开发",
        ),
        licences=("第二类增值电信业务",),
        cities=(("广州市", 1.4), ("东莞市", 0.5), ("中山市", 0.5)),
        revenue_per_head=400_000, rd=0.06, high_tech=0.12,
    ),
    TradeProfile(
        key="property",
        words=("物业管理", "物业服务", "楼宇服务"),
        scope=(
            "物业管理", "停车场服务", "园林绿化工程施工", "家政服务", "专业保洁、清洗、消毒服务",
            "智能化安装工程服务", "住房租赁", "非居住房地产租赁", "城市绿化管理",
        ),
        products=("住宅物业服务", "商写楼宇物业", "停车收费管理", "产业园区物业"),
        licences=("建设工程施工",),
        cities=(("广州市", 0.8), ("东莞市", 0.6), ("中山市", 0.5)),
        revenue_per_head=200_000, rd=0.0, high_tech=0.0,
    ),
    TradeProfile(
        key="guard",
        words=("保安服务", "安保服务", "安全技术防范"),
        scope=(
            "安全技术防范系统设计施工服务", "安防设备销售", "消防器材销售", "安全系统监控服务",
            "人力资源服务（不含职业中介活动、劳务派遣服务）", "单位后勤管理服务",
            "安全咨询服务",
        ),
        products=("驻场保安", "安防监控工程", "大型活动安保", "门禁系统安装"),
        licences=("保安服务", "建设工程施工"),
        cities=(("广州市", 0.6), ("东莞市", 0.5), ("中山市", 0.4)),
        revenue_per_head=120_000, rd=0.0, high_tech=0.0,
    ),
    TradeProfile(
        key="phone_retail",
        words=("通讯器材", "通信器材", "数码科技"),
        scope=(
            "通讯设备销售", "移动终端设备销售", "电子产品销售", "通讯设备修理",
            "计算机及通讯设备租赁", "日用家电零售", "互联网销售（除销售需要许可的商品）",
            "家用电器零配件销售",
        ),
        products=("智能手机零售", "手机配件", "手机维修", "数码产品"),
        licences=(),
        cities=(("广州市", 0.5), ("东莞市", 0.7), ("中山市", 0.4)),
        revenue_per_head=900_000, rd=0.0, high_tech=0.0,
    ),
    TradeProfile(
        key="grid",
        words=("电气", "电力科技", "电力设备", "输配电"),
        scope=(
            "智能输配电及控制设备销售", "输配电及控制设备制造", "配电开关控制设备制造",
            "电力电子元器件制造", "电线、电缆经营", "电力设施器材制造", "充电桩销售",
            "机动车充电销售", "先进电力电子装置销售",
        ),
        products=("智能环网柜", "箱式变电站", "智能电表箱", "低压开关柜", "充电桩"),
        licences=("输电、供电、受电电力设施的安装、维修和试验", "建设工程施工"),
        cities=(("广州市", 0.4), ("东莞市", 0.5), ("中山市", 0.6)),
        revenue_per_head=900_000, rd=0.03, high_tech=0.15,
    ),
    TradeProfile(
        key="lighting",
        words=("灯饰", "照明电器", "光电照明"),
        scope=(
            "照明器具制造", "照明器具销售", "灯具销售", "半导体照明器件制造", "电子元器件制造",
            "家居用品销售", "五金产品零售", "货物进出口",
        ),
        products=("LED吸顶灯", "水晶吊灯", "户外庭院灯", "LED筒灯", "轨道射灯"),
        licences=(),
        cities=(("广州市", 0.1), ("东莞市", 0.3), ("中山市", 2.5)),
        revenue_per_head=500_000, rd=0.02, high_tech=0.05,
    ),
    TradeProfile(
        key="hardware",
        words=("五金", "模具", "精密五金", "塑胶制品"),
        scope=(
            "模具制造", "模具销售", "五金产品制造", "塑料制品制造", "金属制品研发",
            "通用零部件制造", "机械零件、零部件加工", "表面处理（不含电镀）",
        ),
        products=("注塑模具", "精密冲压件", "五金结构件", "塑胶外壳"),
        licences=(),
        cities=(("广州市", 0.2), ("东莞市", 2.0), ("中山市", 0.8)),
        revenue_per_head=400_000, rd=0.02, high_tech=0.06,
    ),
    TradeProfile(
        key="appliance",
        words=("电器", "家用电器", "电器制造"),
        scope=(
            "家用电器制造", "家用电器销售", "家用电器零配件销售", "五金产品制造", "模具制造",
            "塑料制品制造", "货物进出口",
        ),
        products=("电风扇", "电饭煲", "暖风机", "燃气灶", "电热水壶"),
        licences=(),
        cities=(("广州市", 0.1), ("东莞市", 0.4), ("中山市", 2.0)),
        revenue_per_head=500_000, rd=0.03, high_tech=0.06,
    ),
    TradeProfile(
        key="decoration",
        words=("建筑装饰工程", "装饰设计", "建设工程"),
        scope=(
            "住宅室内装饰装修", "建筑装饰材料销售", "园林绿化工程施工", "工程管理服务",
            "家具安装和维修服务", "专业设计服务",
        ),
        products=("室内装修工程", "幕墙工程", "园林景观工程"),
        licences=("建设工程施工", "建设工程设计"),
        cities=(("广州市", 0.6), ("东莞市", 0.5), ("中山市", 0.5)),
        revenue_per_head=700_000, rd=0.0, high_tech=0.0,
    ),
    TradeProfile(
        key="media",
        words=("文化传媒", "广告", "品牌策划"),
        scope=(
            "广告设计、代理", "广告制作", "广告发布", "市场营销策划", "组织文化艺术交流活动",
            "图文设计制作", "摄影扩印服务", "会议及展览服务",
        ),
        products=("品牌策划", "活动执行", "短视频制作", "户外广告投放"),
        licences=("网络文化经营",),
        cities=(("广州市", 0.8), ("东莞市", 0.3), ("中山市", 0.3)),
        revenue_per_head=350_000, rd=0.0, high_tech=0.0,
    ),
    TradeProfile(
        key="garment",
        words=("服饰", "制衣", "纺织"),
        scope=(
            "服装制造", "服装服饰批发", "服装服饰零售", "针纺织品销售", "面料纺织加工",
            "货物进出口",
        ),
        products=("休闲服装", "牛仔服饰", "童装", "针织面料"),
        licences=(),
        cities=(("广州市", 0.4), ("东莞市", 0.6), ("中山市", 0.7)),
        revenue_per_head=300_000, rd=0.0, high_tech=0.0,
    ),
)

# Items almost every firm registers whatever it does.
TECH_SERVICE_ITEM = "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广"
COMMON_ITEMS: tuple[str, ...] = (
    "软件开发", "信息系统集成服务", "信息技术咨询服务", "计算机软硬件及辅助设备批发",
    "计算机软硬件及辅助设备零售", "电子产品销售", "通讯设备销售", "办公设备销售",
    "货物进出口", "技术进出口", "会议及展览服务", "企业管理咨询", "非居住房地产租赁",
    "五金产品批发", "机械设备销售", "工业设计服务", "专业设计服务",
    "互联网销售（除销售需要许可的商品）", "日用百货销售", "家用电器销售", "市场营销策划",
    "广告设计、代理", "组织文化艺术交流活动", "物联网技术研发", "物联网应用服务",
    "信息系统运行维护服务", "数据处理服务", "知识产权服务（专利代理服务除外）",
    "科技中介服务", "电子元器件零售", "仪器仪表销售", "劳务服务（不含劳务派遣）",
)
# Items that say "AI" without naming a node; they add realism but are not node evidence.
GENERAL_AI_ITEMS: tuple[str, ...] = (
    "人工智能应用软件开发", "人工智能行业应用系统集成服务", "人工智能硬件销售",
    "人工智能公共服务平台技术咨询服务",
)
COMMON_LICENCES: tuple[str, ...] = ("第二类增值电信业务", "互联网信息服务", "建设工程施工")
ORDINARY_PRODUCTS_HW: tuple[str, ...] = (
    "电子元器件", "精密结构件", "数据线与连接器", "电源适配器", "工控主板",
)
ORDINARY_PRODUCTS_SW: tuple[str, ...] = (
    "软件定制开发", "信息化运维服务", "系统集成工程", "网站建设", "IT外包服务",
)
# Suffixes for a keyword of the node taken from the chain definition.
KEYWORD_ITEM_SUFFIXES: tuple[str, ...] = ("技术研发", "技术服务", "相关产品研发", "系统开发")
KEYWORD_PRODUCT_SUFFIXES: tuple[str, ...] = ("解决方案", "系统", "产品")

# Invented brand syllables. The two lists never combine into a well-known brand; the generator
# still rejects any name that contains one of RESERVED_FRAGMENTS.
BRAND_FIRST = (
    "睿", "曜", "翊", "珩", "岚", "湛", "熠", "璟", "昀", "祺", "棠", "禾", "朔", "弈", "沐",
    "澄", "钧", "骁", "楷", "琨", "霁", "珈", "灏", "烁", "桐", "岑", "粼", "翎", "泓", "潇",
    "屹", "麒", "嵘", "玥", "瑾", "槿", "蔚", "旻", "湃", "琦", "彧", "铂", "赫", "墨", "歆",
    "芮", "瀚", "昊", "砚", "峤",
)
BRAND_SECOND = (
    "澜", "拓", "衡", "驰", "图", "维", "源", "泽", "川", "途", "辰", "衍", "启", "迈", "邦",
    "谷", "晞", "合", "弘", "锐", "昇", "翼", "舟", "航", "岳", "峰", "宇", "恒", "诺", "微",
    "芒", "帆", "鸿", "桥", "湾", "森", "朗", "联", "达", "信", "科", "云", "元", "极", "序",
)
# Well-known real firms (and fragments of their names) that an invented name must not contain.
RESERVED_FRAGMENTS: tuple[str, ...] = (
    "腾讯", "华为", "讯飞", "大疆", "云从", "小鹏", "广汽", "比亚迪", "中兴", "步步高", "拓斯达",
    "李群", "固高", "长盈", "华贝", "劲胜", "商汤", "旷视", "百度", "阿里", "小马智行", "文远",
    "极飞", "佳都", "视源", "广电运通", "海格", "美的", "格力", "小米", "荣耀", "欧普", "华帝",
    "明阳", "木林森", "大洋", "亿航", "粤芯", "同盾", "零氪", "异构", "平安", "海康", "大华",
    "宇视", "优必选", "依图", "寒武纪", "地平线", "云天", "极智", "元戎",
)

# Invented road names: first part + second part + kind.
ROAD_FIRST = (
    "科汇", "智源", "云栖", "翠湖", "澜湾", "锦绣", "创业", "启航", "明珠", "海棠", "青溪",
    "星河", "凤鸣", "紫荆", "新港", "兴业", "慧谷", "瑞丰", "金桂", "银杏",
)
ROAD_KIND = ("路", "大道", "街", "一路", "二路", "东路", "中路", "西路")
BUILDING_SUFFIXES = ("栋", "号楼", "座")

# Invented park name parts and themes; a park's theme follows its first focus node.
PARK_FIRST = ("澜", "汀", "翠", "云", "湛", "禾", "榕", "溪", "岚", "霁", "棠", "桐", "汐", "峤")
PARK_SECOND = ("湖", "洲", "屿", "岗", "谷", "湾", "滨", "坊", "源", "岭", "汇", "港")
PARK_THEMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("人工智能产业园", ("models", "basesoft", "nlp", "speech", "vision", "data", "compute")),
    ("智能机器人产业基地", ("robot", "motion", "decision")),
    ("智能制造小镇", ("manufacturing", "robot", "motion")),
    ("智能终端产业园", ("phone", "odm", "wearable", "display")),
    ("集成电路与传感器产业基地", ("chip", "sensor", "display")),
    ("智能网联汽车产业园", ("vehicle", "transport", "drone")),
    ("智慧健康产业园", ("health",)),
    ("智能家居产业基地", ("home",)),
    ("数字城市创新园", ("city", "security", "biometrics", "education", "finance", "hci")),
)
DEFAULT_PARK_THEME = "人工智能创新园"

PROJECT_TYPE_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("rnd", 0.32),
    ("industrialisation", 0.25),
    ("demonstration", 0.20),
    ("platform", 0.10),
    ("talent", 0.13),
)
PROJECT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "rnd": ("关键技术研发", "关键技术攻关", "核心算法研发"),
    "industrialisation": ("研发及产业化", "产业化项目", "规模化生产线建设"),
    "demonstration": ("应用示范", "示范应用项目", "场景应用示范"),
    "platform": ("公共服务平台建设", "开放创新平台建设", "共性技术平台"),
    "talent": ("创新创业团队", "高层次人才团队项目", "领军人才团队"),
}
# Budget range per project type, in units of 10,000 yuan (万元).
PROJECT_BUDGET_WAN: dict[str, tuple[int, int]] = {
    "rnd": (50, 1500),
    "industrialisation": (200, 5000),
    "demonstration": (100, 2000),
    "platform": (300, 5000),
    "talent": (50, 1000),
}
