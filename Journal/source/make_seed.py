#!/usr/bin/env python3
"""How the seed unit's source CSVs (2022.csv, 2023.csv) were first written.

The CSVs are the source of record: Journal/build.sh posts them through `fledger import`.
This script documents the arithmetic behind their amounts: every 万元 figure of the seed
report must round, cell by cell, to the published value (see Journal/README.md, "The seed
unit"). Running it rewrites the CSVs identically; it checks its own targets and stops if any
figure would not round to the seed's. Integer 分 throughout, never floating point.
"""
import csv, io, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIELDS = ["type", "id", "date", "kind", "fund", "item", "econ", "nature", "project", "amount",
          "target", "doc", "payee", "voucher", "actor", "memo"]
P_EXPERT = "51050022T000000280041"   # 政府采购项目评审专家经费
P_BUSINESS = "51050022T000000381225" # 政务服务和公共资源交易业务经费
P_NETWORK = "51050022T000000381226"  # 网络通信费
P_EBID = "51050023T000008267900"     # 工程建设新范本电子招投标子系统及招标计划发布子系统开发运行费用
P_HALL = "51050022T000000301188"     # 政务服务大厅适老化改造（2022 only; constructed, see README）

def yuan(fen):
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"

def wan(fen):  # 万元, two decimals, half up
    units = (abs(fen) + 5000) // 10000
    return ("-" if fen < 0 and units else "") + f"{units // 100}.{units % 100:02d}"

def split(total, parts, weights=None):
    """Split `total` fen into `parts` amounts (whole yuan where possible), the last absorbing the rest."""
    weights = weights or [1] * parts
    w = sum(weights)
    out = [total * k // w // 100 * 100 for k in weights[:-1]]
    out.append(total - sum(out))
    assert all(x > 0 for x in out), (total, out)
    return out

class Year:
    def __init__(self, year):
        self.year, self.rows, self.vouchers, self.ids = year, [], {}, {}

    def _id(self, prefix):
        n = self.ids.get(prefix, 0) + 1
        self.ids[prefix] = n
        return f"{self.year}-{prefix}-{n:04d}"

    def voucher(self, date):
        m = int(date[5:7])
        n = self.vouchers.get(m, 0) + 1
        self.vouchers[m] = n
        return f"记-{m:02d}-{n:04d}"

    def appropriation(self, date, item, amount, doc, memo, nature="basic", project="", econ=""):
        i = self._id("A")
        self.rows.append(dict(type="appropriation", id=i, date=date, fund="gpb", item=item, econ=econ, nature=nature,
                              project=project, amount=yuan(amount), doc=doc, actor="王会计", memo=memo))
        return i

    def budget(self, date, item, amount, doc, memo, nature="basic", project=""):
        i = self._id("B")
        self.rows.append(dict(type="adjustment", kind="budget", id=i, date=date, fund="gpb", item=item, nature=nature,
                              project=project, amount=yuan(amount), doc=doc, actor="王会计", memo=memo))
        return i

    def pay(self, date, item, econ, amount, payee, memo, nature="basic", project=""):
        i = self._id("D")
        self.rows.append(dict(type="disbursement", id=i, date=date, fund="gpb", item=item, econ=econ, nature=nature,
                              project=project, amount=yuan(amount), payee=payee, actor="李出纳", memo=memo))
        return i

    def reverse(self, date, target, amount, memo):
        i = self._id("R")
        self.rows.append(dict(type="adjustment", kind="reversal", id=i, date=date, target=target, amount=yuan(amount),
                              actor="张审核", memo=memo))

    def reclassify(self, date, target, amount, item, econ, memo, nature="basic", project=""):
        i = self._id("C")
        self.rows.append(dict(type="adjustment", kind="reclassification", id=i, date=date, target=target,
                              amount=yuan(amount), fund="gpb", item=item, econ=econ, nature=nature, project=project,
                              actor="张审核", memo=memo))

    def write(self, name):
        rows = sorted(self.rows, key=lambda r: (r["date"], {"appropriation": 0, "disbursement": 1}.get(r["type"], 0 if r.get("kind") == "budget" else 2)))
        # Ids and voucher numbers in date order, as the books would have them.
        renamed, counters = {}, {}
        for r in rows:
            prefix = r["id"].split("-")[1]
            counters[prefix] = counters.get(prefix, 0) + 1
            renamed[r["id"]] = f"{self.year}-{prefix}-{counters[prefix]:04d}"
            r["id"] = renamed[r["id"]]
            if r["type"] == "disbursement":
                r["voucher"] = self.voucher(r["date"])
            if r.get("target"):
                r["target"] = renamed[r["target"]]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in FIELDS})
        with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
            f.write(buf.getvalue())
        return rows

def month_end(year, m):
    return f"{year}-{m:02d}-{[31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]:02d}"

def payroll(y, totals, item="2010350"):
    """Monthly payroll and contributions: each (item, econ) annual total paid in 12 instalments."""
    names = {"30101": "基本工资", "30102": "津贴补贴", "30107": "绩效工资", "30108": "机关事业单位基本养老保险缴费",
             "30109": "职业年金缴费", "30110": "职工基本医疗保险缴费", "30111": "公务员医疗补助缴费",
             "30112": "其他社会保障缴费", "30113": "住房公积金", "30199": "其他工资福利支出", "30399": "其他对个人和家庭的补助"}
    payees = {"30101": "中心在编职工（工资代发）", "30102": "中心在编职工（工资代发）", "30107": "中心在编职工（绩效代发）",
              "30108": "泸州市社会保险事业管理局", "30109": "泸州市社会保险事业管理局", "30110": "泸州市医疗保障事务中心",
              "30111": "泸州市医疗保障事务中心", "30112": "泸州市社会保险事业管理局", "30113": "泸州市住房公积金管理中心",
              "30199": "中心在编职工（代发）", "30399": "中心在编职工（代发）"}
    for (it, econ), total in totals.items():
        weights = [1] * 11 + [3] if econ == "30107" else None   # year-end performance pay in December
        for m, amount in enumerate(split(total, 12, weights), start=1):
            day = 15 if econ in ("30101", "30102", "30107", "30199", "30399") else 20
            y.pay(f"{y.year}-{m:02d}-{day}", it, econ, amount, payees[econ], f"{m}月{names[econ]}")

def check(label, fen, published):
    got = wan(fen)
    if got != published:
        sys.exit(f"make_seed: {label} is {yuan(fen)} yuan = {got} 万元, the seed publishes {published}")

# ---------------------------------------------------------------- 2023
def year2023():
    y = Year(2023)
    doc = "泸财预〔2023〕12号"
    # Basic items: the year's exact totals (分), chosen so that each 项, 类, 基本支出, 人员经费
    # and 公用经费 rounds to the seed (README explains the choice).
    other_personnel = {("2080505", "30108"): 50961216, ("2080506", "30109"): 25480608, ("2101102", "30110"): 23569840,
                       ("2101103", "30111"): 3749600, ("2101199", "30112"): 3881200, ("2210201", "30113"): 38217600}
    running = 73636000          # 公用经费 302, all under 2010350
    item_2010350 = 467423052
    personnel_2010350 = item_2010350 - running
    pay_2010350 = {("2010350", "30101"): 118380000, ("2010350", "30102"): 73476000, ("2010350", "30107"): 168840000,
                   ("2010350", "30112"): 1580400, ("2010350", "30199"): 6240000}
    pay_2010350[("2010350", "30399")] = personnel_2010350 - sum(pay_2010350.values())

    # Budget: 年初预算 per 项 on 1 January in round figures, “三公” with their 经济分类, projects;
    # on 10 December the basic 项 are adjusted to the year's final figures (调整预算).
    initial = {"2010350": 467420000, "2080505": 5096000 * 10, "2080506": 25480000, "2101102": 23570000,
               "2101103": 3750000, "2101199": 3880000, "2210201": 38220000}
    initial_sangong = {"30231": 3600000, "30217": 210000}
    y.appropriation("2023-01-01", "2010350", initial["2010350"] - sum(initial_sangong.values()), doc, "年初预算 事业运行")
    y.appropriation("2023-01-01", "2010350", initial_sangong["30231"], doc, "年初预算 事业运行 公务用车运行维护费", econ="30231")
    y.appropriation("2023-01-01", "2010350", initial_sangong["30217"], doc, "年初预算 事业运行 公务接待费", econ="30217")
    names = {"2080505": "机关事业单位基本养老保险缴费支出", "2080506": "机关事业单位职业年金缴费支出", "2101102": "事业单位医疗",
             "2101103": "公务员医疗补助", "2101199": "其他行政事业单位医疗支出", "2210201": "住房公积金"}
    for item, name in names.items():
        y.appropriation("2023-01-01", item, initial[item], doc, f"年初预算 {name}")
    projects = [(P_EXPERT, 45000000, "政府采购项目评审专家经费"), (P_BUSINESS, 65000000, "政务服务和公共资源交易业务经费"),
                (P_NETWORK, 20400000, "网络通信费"), (P_EBID, 19800000, "工程建设新范本电子招投标子系统及招标计划发布子系统开发运行费用")]
    for code, amount, name in projects:
        y.appropriation("2023-01-01", "2010399", amount, doc, f"年初预算 项目 {name}", nature="project", project=code)
    final = {"2010350": item_2010350, **{it: v for (it, _), v in other_personnel.items()}}
    for item, amount in final.items():
        delta = amount - initial[item]
        if delta:
            y.budget("2023-12-10", item, delta, "泸财预〔2023〕186号", "年终调整预算至决算数")

    payroll(y, {**pay_2010350, **other_personnel})

    # 公用经费 (302) under 2010350, with the 2 receptions (2,100 元) and vehicle costs (36,000 元).
    y.pay("2023-03-16", "2010350", "30217", 110000, "泸州某餐饮管理有限公司", "接待德阳市政务服务和大数据管理局交流学习工作用餐（16人）")
    y.pay("2023-09-21", "2010350", "30217", 100000, "泸州某餐饮管理有限公司", "接待重庆市巴南区行政服务和公共资源交易中心交流学习工作用餐（12人）")
    vehicle = [("2023-01-10", 300000, "中国石化销售股份有限公司四川泸州石油分公司", "公务用车燃料费（一季度充值）"),
               ("2023-04-10", 300000, "中国石化销售股份有限公司四川泸州石油分公司", "公务用车燃料费（二季度充值）"),
               ("2023-05-18", 486000, "泸州某汽车维修服务有限公司", "公务用车维修保养"),
               ("2023-06-12", 512000, "中国人民财产保险股份有限公司泸州市分公司", "公务用车保险费"),
               ("2023-07-10", 300000, "中国石化销售股份有限公司四川泸州石油分公司", "公务用车燃料费（三季度充值）"),
               ("2023-08-30", 128000, "四川省交通运输厅高速公路泸州管理处", "公务用车过路过桥费"),
               ("2023-10-10", 300000, "中国石化销售股份有限公司四川泸州石油分公司", "公务用车燃料费（四季度充值）"),
               ("2023-11-22", 1274000, "泸州某汽车维修服务有限公司", "公务用车年度检修及轮胎更换")]
    assert sum(a for _, a, _, _ in vehicle) == 3600000
    for date, amount, payee, memo in vehicle:
        y.pay(date, "2010350", "30231", amount, payee, memo)
    office = y.pay("2023-05-09", "2010350", "30201", 326000, "泸州某办公用品有限公司", "打印机维修配件")
    y.reclassify("2023-05-26", office, 326000, "2010350", "30213", "经复核为设备维修费，更正经济分类 30201→30213")
    trip = y.pay("2023-06-28", "2010350", "30211", 480000, "刘某某（差旅费报销）", "赴成都参加公共资源交易平台业务培训差旅费")
    y.reverse("2023-07-05", trip, 62000, "退回多报销住宿费")
    spent = 110000 + 100000 + 3600000 + 326000 + 480000 - 62000
    regular = [("30201", "泸州某办公用品有限公司", "办公用品采购", 7, 180000),
               ("30207", "中国邮政集团有限公司泸州市分公司", "邮寄费", 4, 36000),
               ("30207", "中国电信股份有限公司泸州分公司", "办公电话费", 12, 96000),
               ("30211", "中心职工（差旅费报销）", "差旅费", 10, 310000),
               ("30213", "泸州某物业服务有限公司", "办公设备及设施维修", 5, 420000),
               ("30228", "泸州市政务服务管理局工会委员会", "按工资总额2%拨缴工会经费", 4, 1900000),
               ("30229", "中心在编职工（代发）", "职工福利费", 4, 1450000),
               ("30239", "中心在编职工（代发）", "其他交通费用（公务交通补贴）", 12, 4560000)]
    months = {4: [3, 6, 9, 12], 5: [2, 4, 7, 9, 11], 7: [1, 3, 4, 6, 8, 10, 12], 10: [1, 2, 3, 4, 5, 6, 8, 9, 10, 11], 12: list(range(1, 13))}
    plan = []
    for econ, payee, memo, n, annual in regular:
        for m, amount in zip(months[n], split(annual, n)):
            plan.append((f"{y.year}-{m:02d}-{8 + (len(plan) * 7) % 18:02d}", econ, amount, payee, f"{m}月{memo}"))
    spent += sum(p[2] for p in plan)
    rest = running - spent    # 其他商品和服务支出, quarterly
    for (date, econ, amount, payee, memo) in plan:
        y.pay(date, "2010350", econ, amount, payee, memo)
    for q, amount in enumerate(split(rest, 4), start=1):
        y.pay(f"2023-{q * 3:02d}-26", "2010350", "30299", amount, "泸州某文印服务有限公司等（其他商品和服务）", f"第{q}季度其他商品和服务支出")

    # Projects under 2010399.
    for m, amount in enumerate(split(45000000, 12), start=1):
        y.pay(f"2023-{m:02d}-25", "2010399", "30226", amount, "政府采购评审专家（劳务费代发）", f"{m}月政府采购评审专家劳务费", "project", P_EXPERT)
    business = [("30227", "泸州某人力资源服务有限公司", "政务服务大厅窗口辅助人员服务外包", 12, 42000000),
                ("30209", "泸州某物业服务有限公司", "交易中心物业管理费", 4, 12000000),
                ("30206", "国网四川省电力公司泸州供电公司", "交易中心电费", 4, 6400000),
                ("30205", "泸州市兴泸水务（集团）股份有限公司", "交易中心水费", 4, 600000)]
    for econ, payee, memo, n, annual in business:
        for m, amount in zip(months[n], split(annual, n)):
            y.pay(f"2023-{m:02d}-{12 if n == 12 else 18}", "2010399", econ, amount, payee, f"{m}月{memo}", "project", P_BUSINESS)
    y.pay("2023-08-16", "2010399", "30213", 65000000 - 42000000 - 12000000 - 6400000 - 600000, "泸州某电子设备工程有限公司",
          "开评标室音视频监控系统维护", "project", P_BUSINESS)
    for m in range(1, 13):
        y.pay(f"2023-{m:02d}-28" if m != 2 else "2023-02-27", "2010399", "30207", 1700000, "中国电信股份有限公司泸州分公司",
              f"{m}月网络通信费（电子政务外网及交易系统专线）", "project", P_NETWORK)
    for date, amount, memo in [("2023-04-20", 5850000, "子系统开发首付款（30%）"), ("2023-09-15", 7800000, "子系统上线验收款（40%）"),
                               ("2023-12-18", 5850000, "运行维护及尾款（按实际工作量结算）")]:
        y.pay(date, "2010399", "30227", amount, "四川某信息技术有限公司", f"电子招投标子系统 {memo}", "project", P_EBID)
    rows = y.write("2023.csv")

    # The seed's figures, checked on what was written.
    totals = {}
    for r in rows:
        if r["type"] == "disbursement":
            key = (r["item"], r["econ"], r["nature"], r["project"])
            totals[r["id"]] = (key, fen_of(r["amount"]))
    for r in rows:
        if r.get("kind") in ("reversal", "reclassification"):
            key, amount = totals[r["target"]]
            moved = fen_of(r["amount"])
            totals[r["target"]] = (key, amount - moved)
            if r["kind"] == "reclassification":
                totals[r["id"]] = ((r["item"], r["econ"], r["nature"], r["project"]), moved)
    def total(pred):
        return sum(a for (k, a) in totals.values() if pred(k))
    check("2023 total", total(lambda k: True), "763.18")
    check("2023 基本支出", total(lambda k: k[2] == "basic"), "613.28")
    check("2023 项目支出", total(lambda k: k[2] == "project"), "149.90")
    check("2023 人员经费", total(lambda k: k[2] == "basic" and k[1][:3] in ("301", "303")), "539.65")
    check("2023 公用经费", total(lambda k: k[2] == "basic" and k[1][:3] in ("302", "310")), "73.64")
    for item, published in [("2010350", "467.42"), ("2010399", "149.90"), ("2080505", "50.96"), ("2080506", "25.48"),
                            ("2101102", "23.57"), ("2101103", "3.75"), ("2101199", "3.88"), ("2210201", "38.22")]:
        check(f"2023 {item}", total(lambda k: k[0] == item), published)
    check("2023 三公", total(lambda k: k[1] in ("30212", "31013", "30231", "30217")), "3.81")
    check("2023 公务接待", total(lambda k: k[1] == "30217"), "0.21")
    for code, published in [(P_EXPERT, "45.00"), (P_BUSINESS, "65.00"), (P_NETWORK, "20.40"), (P_EBID, "19.50")]:
        check(f"2023 {code}", total(lambda k: k[3] == code), published)
    return total(lambda k: True)

def fen_of(text):
    neg = text.startswith("-")
    a, b = text.lstrip("-").split(".")
    v = int(a) * 100 + int(b)
    return -v if neg else v

# ---------------------------------------------------------------- 2022
def year2022(total2023):
    y = Year(2022)
    doc = "泸财预〔2022〕9号"
    other_personnel = {("2080505", "30108"): 50322048, ("2080506", "30109"): 25161024, ("2101102", "30110"): 23254080,
                       ("2101103", "30111"): 3698000, ("2101199", "30112"): 3820000, ("2210201", "30113"): 37632000}
    total2022 = 790971638
    projects = [(P_EXPERT, 50000000, "政府采购项目评审专家经费"), (P_BUSINESS, 82000000, "政务服务和公共资源交易业务经费"),
                (P_NETWORK, 20400000, "网络通信费"), (P_HALL, 25000000, "政务服务大厅适老化改造")]
    project_total = sum(a for _, a, _ in projects)
    basic = total2022 - project_total
    item_2010350 = basic - sum(other_personnel.values())
    running = 70218000
    pay_2010350 = {("2010350", "30101"): 116760000, ("2010350", "30102"): 72600000, ("2010350", "30107"): 172200000,
                   ("2010350", "30112"): 1552000, ("2010350", "30199"): 5980000}
    pay_2010350[("2010350", "30399")] = item_2010350 - running - sum(pay_2010350.values())
    y.appropriation("2022-01-01", "2010350", item_2010350 - 3600000 - 120000, doc, "年初预算 事业运行")
    y.appropriation("2022-01-01", "2010350", 3600000, doc, "年初预算 事业运行 公务用车运行维护费", econ="30231")
    y.appropriation("2022-01-01", "2010350", 120000, doc, "年初预算 事业运行 公务接待费", econ="30217")
    for (item, _), amount in other_personnel.items():
        y.appropriation("2022-01-01", item, amount, doc, "年初预算")
    for code, amount, name in projects:
        y.appropriation("2022-01-01", "2010399", amount, doc, f"年初预算 项目 {name}", nature="project", project=code)
    payroll(y, {**pay_2010350, **other_personnel})
    y.pay("2022-06-22", "2010350", "30217", 120000, "泸州某餐饮管理有限公司", "接待宜宾市公共资源交易中心交流学习工作用餐（10人）")
    vehicle = [(3, 900000, "中国石化销售股份有限公司四川泸州石油分公司", "公务用车燃料费（上半年）"),
               (6, 520000, "中国人民财产保险股份有限公司泸州市分公司", "公务用车保险费"),
               (9, 900000, "中国石化销售股份有限公司四川泸州石油分公司", "公务用车燃料费（下半年）"),
               (11, 1280000, "泸州某汽车维修服务有限公司", "公务用车维修保养及年检")]
    for m, amount, payee, memo in vehicle:
        y.pay(f"2022-{m:02d}-14", "2010350", "30231", amount, payee, memo)
    trip = y.pay("2022-08-09", "2010350", "30211", 356000, "王某某（差旅费报销）", "赴重庆学习公共资源交易平台建设差旅费")
    y.reverse("2022-08-19", trip, 40000, "退回多报销交通费")
    rest = running - 120000 - 3600000 - 316000
    parts = [("30201", "泸州某办公用品有限公司", "办公用品采购", 4100000), ("30207", "中国电信股份有限公司泸州分公司", "办公电话及邮寄费", 1300000),
             ("30228", "泸州市政务服务管理局工会委员会", "拨缴工会经费", 19000000), ("30229", "中心在编职工（代发）", "职工福利费", 14000000),
             ("30239", "中心在编职工（代发）", "其他交通费用（公务交通补贴）", 22800000)]
    parts.append(("30299", "泸州某文印服务有限公司等（其他商品和服务）", "其他商品和服务支出", rest - sum(p[3] for p in parts)))
    for econ, payee, memo, annual in parts:
        for q, amount in enumerate(split(annual, 4), start=1):
            y.pay(f"2022-{q * 3:02d}-{10 + q}", "2010350", econ, amount, payee, f"第{q}季度{memo}")
    for code, amount, name in projects:
        econ = {P_EXPERT: "30226", P_BUSINESS: "30227", P_NETWORK: "30207", P_HALL: "30213"}[code]
        payee = {P_EXPERT: "政府采购评审专家（劳务费代发）", P_BUSINESS: "泸州某人力资源服务有限公司", P_NETWORK: "中国电信股份有限公司泸州分公司",
                 P_HALL: "泸州某建筑装饰工程有限公司"}[code]
        n = 4 if code == P_HALL else 12
        for k, a in enumerate(split(amount, n), start=1):
            m = k * 3 if n == 4 else k
            y.pay(f"2022-{m:02d}-26", "2010399", econ, a, payee, f"{m}月{name}", "project", code)
    rows = y.write("2022.csv")
    spent = sum(fen_of(r["amount"]) for r in rows if r["type"] == "disbursement") - 40000
    assert spent == total2022, (spent, total2022)
    check("2022 total", spent, "790.97")
    check("2023 − 2022", total2023 - spent, "-27.79")
    sangong = sum(fen_of(r["amount"]) for r in rows if r["type"] == "disbursement" and r["econ"] in ("30231", "30217"))
    check("2022 三公", sangong, "3.72")

year2022(year2023())
print("make_seed: 2022.csv and 2023.csv written; every checked figure rounds to the seed's")
