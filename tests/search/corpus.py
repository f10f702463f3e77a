"""A fixed corpus of Q&A threads, served through a test SearchSource like a domain would."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from community.search import AnswerText, SearchDocument

BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)

# key: (title, body, tags, answers, options); an answer is (text, "accepted"/"canonical"/"").
THREADS: dict[str, tuple] = {
    "bitcoin": (
        "什么是比特币？普通人应该怎么理解",
        "经常听人说比特币，它到底是什么，和银行里的钱有什么区别？",
        ["数字货币", "理财"],
        [("比特币是一种基于区块链的去中心化数字货币，总量上限两千一百万枚。", "accepted")],
        {"featured": True, "votes": 12},
    ),
    "bitcoin_wallet": (
        "比特币钱包选冷钱包还是热钱包",
        "手里有一点币，放在交易所不放心，硬件钱包值得买吗？",
        ["数字货币", "安全"],
        [("冷钱包离线保存私钥更安全，Ledger 和 Trezor 都可以，助记词抄在纸上。", "accepted")],
        {"votes": 5},
    ),
    "taobaoke": (
        "淘宝客返利是怎么算的？",
        "通过社区的链接在淘宝下单，返利金额是怎么计算出来的，什么时候到账？",
        ["淘宝客", "返利"],
        [("返利等于佣金乘以你所在等级的返利比例，确认收货后进入结算。", "canonical")],
        {"featured": True, "public": True, "votes": 20},
    ),
    "annual_fee": (
        "年费会员到期后自动续费吗",
        "我是年费会员，快到期了，会不会自动扣款？怎么关闭自动续费？",
        ["会员", "年费"],
        [("默认不自动续费，到期前七天会发邮件提醒。", "accepted")],
        {"votes": 3},
    ),
    "refund_72h": (
        "新开通会员可以退款吗",
        "刚付了年费，发现用不上，能退吗？",
        ["会员", "退款"],
        [("首次付款七十二小时内可以全额退款，超过后需要联系运营。", "accepted")],
        {"votes": 2},
    ),
    "wifi_router": (
        "家里ＷｉＦｉ信号差，路由器怎么选",
        "三室两厅，卧室信号很弱，是买 Mesh 组网还是换一台大功率路由器？",
        ["网络", "数码"],
        [
            ("大户型建议 Mesh 组网，有线回程效果最好。", "accepted"),
            ("也可以用电力猫，不过稳定性一般。", ""),
        ],
        {"votes": 8},
    ),
    "wifi6": (
        "WiFi 6 和 WiFi 5 的区别大吗",
        "准备换手机和路由器，WiFi 6 值不值得多花钱？",
        ["网络", "数码"],
        [("设备多的时候 WiFi 6 延迟更低，单设备测速差别不大。", "")],
        {"votes": 1},
    ),
    "python_crawler": (
        "用Python写爬虫被网站封IP怎么办",
        "requests 抓了几百页之后就返回 403，有什么办法？",
        ["python", "编程"],
        [("降低频率，加上随机等待，遵守 robots 协议，必要时用官方接口。", "accepted")],
        {"votes": 6},
    ),
    "python_venv": (
        "Python virtual environments: venv or conda?",
        "Which one should a beginner use for data analysis projects on Windows?",
        ["python", "编程"],
        [
            (
                "Use venv with pip for most projects; conda helps with compiled libraries.",
                "accepted",
            )
        ],
        {"votes": 4},
    ),
    "docker_disk": (
        "Docker 占用磁盘空间越来越大怎么清理",
        "服务器磁盘满了，发现 /var/lib/docker 占了五十多个 G。",
        ["docker", "运维"],
        [("用 docker system prune 清理无用镜像和容器，注意别删了数据卷。", "accepted")],
        {"votes": 7},
    ),
    "git_undo": (
        "How do I undo the last git commit without losing changes?",
        "I committed to the wrong branch and want to keep my edits.",
        ["git", "编程"],
        [("Run git reset --soft HEAD~1, then switch branches and commit again.", "accepted")],
        {"votes": 9},
    ),
    "credit_card_annual_fee": (
        "信用卡年费怎么免掉",
        "白金卡年费一千多，每年刷够次数能免吗？",
        ["信用卡", "年费"],
        [("多数银行刷满六次或积分兑换可免年费，高端卡要看权益值不值。", "accepted")],
        {"votes": 4},
    ),
    "credit_score": (
        "信用卡逾期一天会影响征信吗",
        "忘了还款，晚了一天才还上，会不会上征信报告？",
        ["信用卡", "征信"],
        [("多数银行有三天宽限期，宽限期内还款一般不会上报征信。", "accepted")],
        {"votes": 10},
    ),
    "housing_fund": (
        "公积金贷款和商业贷款哪个划算",
        "第一次买房，公积金额度不够，要不要组合贷？",
        ["房贷", "公积金"],
        [("公积金利率低，先用足公积金额度，不够的部分用商业贷款组成组合贷。", "accepted")],
        {"votes": 11},
    ),
    "prepay_mortgage": (
        "房贷要不要提前还",
        "手里有一笔闲钱，提前还房贷还是拿去理财？",
        ["房贷", "理财"],
        [("如果理财收益稳定高于房贷利率就不必提前还，否则提前还款更省心。", "canonical")],
        {"featured": True, "votes": 15},
    ),
    "personal_tax": (
        "个人所得税年度汇算怎么退税",
        "个税APP里显示可以退税，要填哪些专项附加扣除？",
        ["个税", "税务"],
        [("子女教育、房贷利息、赡养老人都可以扣除，提交后等待审核即可退税。", "accepted")],
        {"votes": 6},
    ),
    "social_insurance": (
        "离职后社保断缴有什么影响",
        "换工作中间空了两个月，社保断了会影响买房资格吗？",
        ["社保"],
        [("部分城市购房资格要求连续缴纳，可以用灵活就业身份补缴。", "")],
        {"votes": 2},
    ),
    "medical_insurance": (
        "百万医疗险值得买吗",
        "公司有医保，还需要自己买百万医疗险吗？",
        ["保险"],
        [("百万医疗险保费低，可以覆盖医保外的大额住院费用，建议配置。", "accepted")],
        {"votes": 5},
    ),
    "jd_price_protect": (
        "京东价保怎么申请",
        "买完第二天就降价了，京东的价格保护在哪里申请？",
        ["京东", "购物"],
        [("在订单详情里点价格保护，系统会自动退差价。", "accepted")],
        {"votes": 3},
    ),
    "pdd_refund": (
        "拼多多仅退款商家不同意怎么办",
        "收到的东西是坏的，申请仅退款被拒绝。",
        ["拼多多", "退款"],
        [("上传照片申请平台介入，一般会支持消费者。", "")],
        {"votes": 1},
    ),
    "double11": (
        "双十一满减怎么凑单最划算",
        "跨店满减规则太复杂了，有没有简单的凑单技巧？",
        ["购物", "淘宝"],
        [("先算清每满三百减五十的门槛，凑单买日用品，之后再退掉凑单商品要注意规则。", "accepted")],
        {"votes": 4},
    ),
    "618_iphone": (
        "618 买 iPhone 哪个平台最便宜",
        "想在 618 换 iPhone 16，京东自营和拼多多百亿补贴哪个靠谱？",
        ["数码", "京东"],
        [("百亿补贴价格最低，京东自营售后最省心。", "accepted")],
        {"votes": 7},
    ),
    "mac_vs_windows": (
        "Should I buy a MacBook Air or a Windows laptop for programming?",
        "I mostly write Python and JavaScript and sometimes run Docker.",
        ["数码", "编程"],
        [
            (
                "A MacBook Air with 16 GB of memory is great unless you need Windows-only tools.",
                "accepted",
            )
        ],
        {"votes": 5},
    ),
    "nas": (
        "家用NAS群晖还是自己组装",
        "想存照片和电影，群晖太贵，自己装机用 TrueNAS 难不难？",
        ["数码", "存储"],
        [("不想折腾就买群晖；喜欢动手可以组装，成本低一半。", "")],
        {"votes": 3},
    ),
    "raspberry_pi": (
        "树莓派能做哪些好玩的项目",
        "买了一块树莓派 5 吃灰了，有什么推荐的玩法？",
        ["数码", "编程"],
        [("可以做家庭媒体中心、广告拦截 Pi-hole 或者智能家居网关。", "accepted")],
        {"votes": 2},
    ),
    "passport_japan": (
        "去日本旅游签证怎么办理",
        "第一次去日本自由行，单次签证需要准备哪些材料？",
        ["旅游", "签证"],
        [("通过旅行社送签，需要护照、照片、在职证明和银行流水。", "accepted")],
        {"public": True, "votes": 6},
    ),
    "hotel_points": (
        "酒店积分怎么兑换最划算",
        "万豪积分攒了十万分，兑换免费房还是换航空里程？",
        ["旅游", "积分"],
        [("淡季兑换高档酒店房晚价值最高，换里程通常不划算。", "accepted")],
        {"votes": 4},
    ),
    "flight_cheap": (
        "怎么买到便宜机票",
        "春节回家机票太贵了，有什么抢票技巧？",
        ["旅游", "机票"],
        [("提前两个月关注，设置降价提醒，周二周三出发通常便宜。", "")],
        {"votes": 3},
    ),
    "high_speed_rail": (
        "高铁候补购票成功率高吗",
        "春运抢不到票，候补能成功吗？",
        ["旅游", "高铁"],
        [("候补兑现率和车次热度有关，多选几个车次和席别能提高成功率。", "accepted")],
        {"votes": 5},
    ),
    "fund_dca": (
        "基金定投应该选指数基金吗",
        "每月工资结余两千，想做长期定投，选沪深三百还是中证五百？",
        ["理财", "基金"],
        [("新手定投宽基指数基金最稳妥，坚持三年以上，别追涨杀跌。", "canonical")],
        {"featured": True, "votes": 18},
    ),
    "stock_account": (
        "股票开户选哪家券商佣金低",
        "想开个股票账户，券商佣金万一免五是什么意思？",
        ["理财", "股票"],
        [("万一免五指佣金万分之一且不收五元最低消费，小额交易很划算。", "accepted")],
        {"votes": 4},
    ),
    "hk_stock": (
        "内地怎么买港股",
        "想买腾讯港股，港股通和开境外账户有什么不同？",
        ["理财", "股票"],
        [("港股通需要五十万资产门槛，境外券商开户门槛低但出入金麻烦。", "")],
        {"votes": 3},
    ),
    "alipay_limit": (
        "支付宝转账限额怎么提高",
        "给家人转账提示超过单日限额。",
        ["支付宝", "支付"],
        [("完成实名认证并绑定借记卡，在安全设置里调整额度。", "accepted")],
        {"votes": 1},
    ),
    "digital_rmb": (
        "数字人民币和支付宝有什么区别",
        "数字人民币钱包开通了，和微信支付宝比好用吗？",
        ["支付", "数字货币"],
        [("数字人民币是法定货币，支持双离线支付，商户不收手续费。", "accepted")],
        {"votes": 2},
    ),
    "wechat_pay_fee": (
        "微信零钱提现手续费怎么免",
        "每次提现都要千分之一手续费，有办法免吗？",
        ["支付", "微信"],
        [("用零钱通理财收益抵扣，或者用免费额度提现。", "")],
        {"votes": 2},
    ),
    "rent_deposit": (
        "租房押金房东不退怎么办",
        "退租时房东以墙面脏为理由扣押金。",
        ["租房", "维权"],
        [("保留入住时的照片和合同，协商不成可以找住建部门或者起诉。", "accepted")],
        {"votes": 3},
    ),
    "moving": (
        "搬家公司怎么避免坐地起价",
        "之前搬家被临时加价，这次怎么找靠谱的？",
        ["搬家", "生活"],
        [("提前写清楼层、距离和大件数量，签合同注明总价。", "")],
        {"votes": 1},
    ),
    "cat_food": (
        "猫粮怎么挑选",
        "家里新养了一只英短，进口猫粮和国产猫粮哪个好？",
        ["宠物", "生活"],
        [("看配料表第一位是不是肉，蛋白质含量三十以上，国产也有不错的。", "accepted")],
        {"votes": 5},
    ),
    "air_purifier": (
        "空气净化器CADR值多少够用",
        "二十平米的卧室，甲醛和PM2.5都想去除。",
        ["家电", "生活"],
        [("CADR 值在房间面积的十倍左右就够，除甲醛要看 CCM 指标。", "accepted")],
        {"votes": 4},
    ),
    "robot_vacuum": (
        "扫地机器人有必要买带自动集尘的吗",
        "家里有猫掉毛严重，扫拖一体机哪款好？",
        ["家电", "生活"],
        [("有宠物建议买自动集尘款，石头和科沃斯的旗舰都可以。", "")],
        {"votes": 3},
    ),
    "dishwasher": (
        "洗碗机真的省水吗",
        "一家三口，买台式洗碗机还是嵌入式？",
        ["家电"],
        [("洗碗机比手洗省水，嵌入式十三套容量更适合三口之家。", "accepted")],
        {"votes": 2},
    ),
    "ev_charging": (
        "电动车家里装充电桩需要什么条件",
        "小区有固定车位，物业不让装充电桩怎么办？",
        ["汽车", "电动车"],
        [("需要产权车位或长租合同，电力公司报装，物业无正当理由不得阻挠。", "accepted")],
        {"votes": 6},
    ),
    "car_insurance": (
        "车险怎么买最划算",
        "第二年续保，交强险之外哪些商业险必须买？",
        ["汽车", "保险"],
        [("三者险至少两百万，车损险建议买，其他附加险按需。", "accepted")],
        {"votes": 4},
    ),
    "ielts": (
        "雅思自学三个月能考到7分吗",
        "英语基础四级水平，准备出国留学。",
        ["英语", "留学"],
        [("每天四小时刷剑桥真题，重点练口语和写作，三个月七分有可能。", "accepted")],
        {"votes": 5},
    ),
    "kaoyan": (
        "在职考研时间怎么安排",
        "白天上班，晚上只有三个小时复习。",
        ["考研", "学习"],
        [("先定院校，数学和专业课每天都要练，周末集中做真题。", "")],
        {"votes": 2},
    ),
    "english_listening": (
        "How can I improve my English listening quickly?",
        "I can read technical articles but cannot follow podcasts.",
        ["英语", "学习"],
        [
            (
                "Listen to the same podcast episode several times with and without transcripts.",
                "accepted",
            )
        ],
        {"votes": 3},
    ),
    "chatgpt_prompt": (
        "ChatGPT写周报有什么好的提示词",
        "每周写周报很头疼，想让 AI 帮忙整理。",
        ["ai", "效率"],
        [("先列出本周完成事项和数据，再让模型按目标、进展、风险三段输出。", "accepted")],
        {"votes": 6},
    ),
    "camera": (
        "入门微单相机推荐",
        "预算五千左右，主要拍旅行和人像。",
        ["数码", "摄影"],
        [("索尼 A6400 或富士 XS10 都不错，再配一支定焦镜头。", "accepted")],
        {"votes": 3},
    ),
    "drone": (
        "大疆无人机新手买哪款",
        "第一次玩航拍，怕炸机。",
        ["数码", "摄影"],
        [("Mini 系列重量小于两百五十克，新手友好，先在空旷场地练习。", "")],
        {"votes": 2},
    ),
    "running_knee": (
        "跑步膝盖疼还能继续跑吗",
        "刚开始跑步一个月，跑完膝盖外侧疼。",
        ["健身", "健康"],
        [("可能是髂胫束综合征，先停跑休息，加强臀部力量训练，换双合适的跑鞋。", "accepted")],
        {"votes": 7},
    ),
    "coffee": (
        "手冲咖啡入门需要哪些器材",
        "想在家自己做咖啡，预算一千以内。",
        ["咖啡", "生活"],
        [("磨豆机最重要，其次是手冲壶和滤杯，电子秤也要有。", "accepted")],
        {"votes": 4},
    ),
    "vaccine": (
        "九价HPV疫苗多大年龄可以打",
        "二十八岁还能预约九价吗？",
        ["健康", "疫苗"],
        [("九价已扩龄到九到四十五岁女性，可以在社区医院预约。", "accepted")],
        {"votes": 5},
    ),
    "blood_pressure": (
        "家用电子血压计怎么选",
        "给父母买一台，手腕式的准吗？",
        ["健康", "家电"],
        [("推荐上臂式，欧姆龙和鱼跃都可以，手腕式误差比较大。", "accepted")],
        {"votes": 3},
    ),
    "traditional_doc": (
        "繁體字的資料庫軟體推薦",
        "公司在台灣，需要一套支援繁體中文的資料庫管理軟體。",
        ["軟體", "資料庫"],
        [("可以試試 PostgreSQL 搭配 DBeaver，完全支援中文。", "accepted")],
        {"votes": 2},
    ),
    "invite_rebate": (
        "邀请好友开通会员有返利吗",
        "我用邀请链接拉了朋友，他的订单我能拿到佣金吗？",
        ["返利", "邀请"],
        [("被邀请人的订单佣金你可以分到百分之十的推荐奖励，终身有效。", "canonical")],
        {"featured": True, "votes": 14},
    ),
    "withdraw": (
        "返利余额怎么提现",
        "返利显示可提现，提现多久到账？",
        ["返利", "提现"],
        [("在我的返利页面申请提现，运营审核后一到三个工作日到账。", "accepted")],
        {"votes": 5},
    ),
    "coupon": (
        "优惠券和返利可以同时用吗",
        "先领了店铺优惠券，再走返利链接下单，返利还有吗？",
        ["返利", "优惠券"],
        [("可以叠加，返利按实付金额计算。", "")],
        {"votes": 3},
    ),
    "linux_port": (
        "Linux 查看端口被哪个进程占用",
        "启动服务提示 address already in use。",
        ["linux", "运维"],
        [("用 ss -lntp 或者 lsof -i :8080 查看占用端口的进程。", "accepted")],
        {"votes": 8},
    ),
    "postgres_slow": (
        "PostgreSQL query suddenly became slow after an upgrade",
        "The same query used an index before and now does a sequential scan.",
        ["postgresql", "数据库"],
        [
            (
                "Run ANALYZE after a major upgrade; the planner statistics are not carried over.",
                "accepted",
            )
        ],
        {"votes": 6},
    ),
    "kindergarten": (
        "幼儿园怎么选公立还是私立",
        "孩子明年上幼儿园，公立排不上号。",
        ["育儿", "教育"],
        [("看老师流动率和班级人数，普惠性私立园性价比高。", "")],
        {"votes": 2},
    ),
    "renovation": (
        "装修预算怎么控制不超支",
        "九十平米的房子，预算十五万，怎么分配？",
        ["装修", "生活"],
        [("硬装占六成，软装家电占四成，合同写清增项单价。", "accepted")],
        {"votes": 9},
    ),
    "broadband": (
        "宽带千兆和五百兆体验差别大吗",
        "家里电信宽带到期，要不要升级千兆？",
        ["网络", "宽带"],
        [("下载大文件差别明显，日常刷网页看视频五百兆就够。", "")],
        {"votes": 2},
    ),
    "phone_plan": (
        "手机套餐怎么选最省钱",
        "每月流量用三十个G，现在套餐一百多块太贵。",
        ["手机", "省钱"],
        [("可以换运营商的低价流量卡，携号转网也能谈优惠。", "accepted")],
        {"votes": 4},
    ),
    "deleted_spam": (
        "比特币免费领取加微信",
        "这是广告，已被删除。",
        ["数字货币"],
        [],
        {"deleted": True},
    ),
    "closed_dup": (
        "比特币是什么东西",
        "比特币到底是啥？",
        ["数字货币"],
        [],
        {"closed": True, "votes": 0},
    ),
    "unanswered_vpn": (
        "公司远程办公用什么软件连接内网",
        "在家需要访问公司内部系统，IT 推荐了好几个工具。",
        ["远程办公", "效率"],
        [],
        {"votes": 1},
    ),
    "alias_target": (
        "信用卡积分兑换里程划算吗",
        "各家银行信用卡积分能换航空里程，比例差别很大。",
        ["信用卡", "积分"],
        [("看兑换比例，一般一万积分换一千里程以上才值得。", "accepted")],
        {"votes": 5, "aliases": ["银行积分换飞机里程"]},
    ),
}

AUTHORS = ["会员小李", "老王", "Alice", "运营小林"]


def build_documents() -> list[SearchDocument]:
    documents = []
    for number, (key, (title, body, tags, answers, options)) in enumerate(THREADS.items(), 1):
        created = BASE_TIME + timedelta(days=number)
        documents.append(
            SearchDocument(
                id=number,
                external_id=f"ext-{key}",
                title=title,
                body=body,
                tags=list(tags),
                answers=[
                    AnswerText(text, accepted=kind == "accepted", canonical=kind == "canonical")
                    for text, kind in answers
                ],
                aliases=list(options.get("aliases", [])),
                author=AUTHORS[number % len(AUTHORS)],
                featured=options.get("featured", False),
                public=options.get("public", False),
                closed=options.get("closed", False),
                deleted=options.get("deleted", False),
                votes=options.get("votes", 0),
                created_at=created,
                updated_at=created,
            )
        )
    return documents


DOCUMENTS = build_documents()
IDS = {key: number for number, key in enumerate(THREADS, 1)}


class CorpusSource:
    """A SearchSource over an in-memory set of documents; tests change it like a domain would."""

    def __init__(self, documents: Sequence[SearchDocument] = DOCUMENTS) -> None:
        self.documents = {doc.id: replace(doc) for doc in documents}
        self.loads: list[list[int]] = []

    def load(self, ids):
        self.loads.append(list(ids))
        return [self.documents[doc_id] for doc_id in ids if doc_id in self.documents]

    def all_ids(self):
        return list(self.documents)

    def count(self) -> int:
        return len(self.documents)

    def search_database(self, words, limit):
        found = [
            doc
            for doc in self.documents.values()
            if any(word in doc.title or word in doc.body for word in words)
        ]
        return found[:limit]
