"""The account plan example in English: the same customer, people and plan as the Chinese
one in :mod:`kamxl.templates.examples` (same shapes, same order, same numbers), named and
written in English, so the English example reads as an English rep would keep it."""
from __future__ import annotations

PLAN_CUSTOMER = "Riverlane Power Group Co., Ltd."

PROFILE = {
    "industry": "Power (transmission and distribution)",
    "target_criterion": "Public utility; SASAC-supervised SOE; number one grid company in the province",
    "basic_facts": "Provincial grid company, about 32,000 staff, 13 city supply companies; runs 412 220 kV "
                   "substations and about 32,000 10 kV distribution rooms",
    "strategy": "15th five-year plan: a new-type power system and a digital grid; by 2027 smart inspection in 60% "
                "of 220 kV substations and 50% of distribution rooms unattended",
    "culture": "Safety first, cautious; decisions rest on pilot data and reference cases inside the grid system; "
               "suppliers must be reliable for the long term",
    "pain_points": "An ageing O&M workforce and hard night inspections; many distribution rooms and slow fault "
                   "location; data silos between systems",
    "revenue_trend": "Revenue 2023–2025: 118.0 bn → 126.0 bn → 133.5 bn CNY, about 6% a year",
    "profit_trend": "Total profit about 3.8–4.1 bn CNY, margin steady at about 3%",
    "peers": "The same size as two neighbouring provincial grids, a slightly lower digital budget share, smart "
             "inspection coverage about 15 points behind",
    "kpis": "Supply reliability 99.97%, line loss < 4.2%, days without a safety incident, digital transformation "
            "ranking",
}

# (name, TOP-10 rank, title, department, role, distance, level, attitude, coach)
CHAIN = (
    ("Edward Collins", 1, "President", "Management", "decision_maker", 1, "respect", "support", False),
    ("Robert Grant", 2, "Chairman", "Management", "decision_maker", 1, "know", "neutral", False),
    ("Victor Shaw", 3, "Deputy GM (O&M)", "Management", "approver", 1, "trust", "support", False),
    ("Nigel Lambert", 4, "Chief Engineer (CTO)", "Management", "evaluator", 2, "accept", "neutral", False),
    ("Anne Quinn", 5, "Director of O&M", "O&M", "evaluator", 2, "trust", "support", False),
    ("Claire Morgan", 6, "Director of Procurement", "Procurement", "approver", 2, "know", "neutral", False),
    ("Brian Woods", 7, "Head of Digital", "Digital (IT center)", "evaluator", 2, "accept", "neutral", False),
    ("Linda Sutton", 8, "Finance Director", "Finance", "approver", 3, "contact", "neutral", False),
    ("Matthew Goodwin", 9, "Head of Substation O&M", "O&M", "user", 3, "partner", "support", True),
    ("Peter Holmes", 10, "Head of Safety", "Safety", "influencer", 3, "contact", "oppose", False),
    ("Rose Bailey", None, "Tender Center Lead", "Procurement", "influencer", 3, "know", "neutral", False),
    ("Owen Hall", None, "Head of Marketing", "Marketing", "influencer", 4, "know", "neutral", False),
    ("Frank Ellis", None, "Head of Distribution O&M", "O&M", "user", 4, "respect", "support", False),
    ("Jack Mason", None, "Substation O&M Team Lead", "O&M", "user", 5, "trust", "support", False),
)

# TOP-10 relationship plan: (name, goal, strategy and measures, owner, due, progress)
RELATIONSHIPS = (
    ("Edward Collins", "Support", "Executive visit: our CEO calls in November and invites him to the Suzhou "
     "smart substation", "Andrew Gordon", "2026-11-30", "Visit fixed for 26 November"),
    ("Robert Grant", "Not oppose", "Influence through the group's digital transformation review and the "
     "provincial reference case", "Andrew Gordon", "2027-01-31", "To be arranged"),
    ("Victor Shaw", "Partner", "Help him enter the provincial science award; host an industry site visit "
     "together", "James Walker", "2026-12-31", "Award draft submitted"),
    ("Nigel Lambert", "Support", "Technical session on AI defect detection; invite him to advise the joint lab",
     "Helen Hayes", "2026-11-15", "Session held, positive feedback"),
    ("Anne Quinn", "Partner", "Monthly pilot results sent directly; plan 2027 O&M digitalisation together",
     "James Walker", "2026-12-15", "Sent every month"),
    ("Claire Morgan", "Support", "Discuss the framework purchase method and scoring early; explain the price",
     "Richard Sun", "2026-11-20", "One meeting held"),
    ("Brian Woods", "Support", "Provide the PMS3.0 / D5000 interface design and the level 3 security report",
     "Helen Hayes", "2026-11-30", "Interface design approved"),
    ("Linda Sutton", "Not oppose", "Offer instalments and a life-cycle cost model that proves the return",
     "Richard Sun", "2027-01-15", "Not started"),
    ("Matthew Goodwin", "Partner", "Weekly contact; invite him to product requirement reviews", "James Walker",
     "2027-03-31", "Weekly meeting"),
    ("Peter Holmes", "Not oppose", "Safety briefing: robot inspection cuts site visits and work risk",
     "Mike Duncan", "2026-12-20", "Booked for the December safety meeting"),
)

# (dimension, need, priority, our response, owner)
NEEDS = (
    ("application", "Move 220 kV substation inspection from people to robots and video, at least 50% faster",
     "high", "Inspection robots and linked platform; results in the pilot station within three months",
     "Helen Hayes"),
    ("application", "Unattended distribution rooms, faults located to the device, repairs 30% faster", "high",
     "Distribution room O&M platform phase 2, connecting 3,200 rooms", "Mike Duncan"),
    ("application", "Local 24/7 service, on site within two hours", "medium",
     "A service center in the capital; two engineers on site during the pilot", "Mike Duncan"),
    ("relationship", "A long-term strategic supplier that builds an industry showcase with them", "medium",
     "Propose a joint smart O&M innovation lab", "Andrew Gordon"),
    ("relationship", "Batch purchases under a framework agreement, prices stable for three years", "medium",
     "A three-year framework price with a yearly adjustment rule", "Richard Sun"),
    ("personal", "Victor Shaw: a flagship project inside the grid system this year", "high",
     "Help with the science award and host an industry site visit", "James Walker"),
    ("personal", "Matthew Goodwin: less night inspection for his teams, safety targets met", "medium",
     "Robots patrol at night, alarms pushed to phones", "James Walker"),
    ("technical", "Integration with PMS3.0 and D5000 dispatch, no double entry", "high",
     "Standard interfaces, live at two provincial grid companies", "Helen Hayes"),
    ("technical", "Meets the power monitoring security rules (level 3 protection, security zones)", "high",
     "Level 3 security report; deployed in security zone III", "Helen Hayes"),
    ("technical", "Domestic chips and operating systems", "low", "Certified on Kylin OS and domestic chips",
     "Helen Hayes"),
)

# (amount below, approver, note): amounts in CNY
DECISION_MODEL = (
    (100_000_000, "Deputy GM in charge (Victor Shaw)", "Below 100 million"),
    (200_000_000, "President (Edward Collins)", "100 to 200 million"),
    (500_000_000, "President and the 5 deputy GMs (executive meeting)", "200 to 500 million"),
    (None, "Board of directors", "500 million and above goes to the board"),
)

# (selling point, uniqueness, value, evidence)
SELLING_POINTS = (
    ("Robots, video and online monitoring in one linked inspection", 8, 9,
     "Suzhou 220 kV showcase: inspection 62% faster"),
    ("AI defect detection 98% accurate (infrared and visible light)", 9, 8, "Third-party test report, June 2026"),
    ("Running at scale at two provincial grid companies", 7, 8, "46 substations live at two provinces"),
    ("Standard PMS3.0 / D5000 interfaces", 7, 7, "Interface certificate, provincial acceptance report"),
    ("Local 24/7 service, on site within two hours", 5, 8, "Service center in the capital, 12 engineers"),
    ("Certified on domestic hardware and software", 6, 7, "Kylin OS compatibility certificate"),
    ("Open platform for third-party devices", 6, 5, "Devices of 11 vendors connected"),
    ("About 10% below the main competitors' price", 3, 6, "Last round's price comparison"),
)

# (goal, measure, target, due, owner)
GOALS = (
    ("Contracts worth 20 million CNY with Riverlane Power in 2027", "Contract value (CNY)", 20_000_000,
     "2027-03-31", "James Walker"),
    ("Win the 220 kV smart inspection tender", "Bid value (CNY)", 6_850_000, "2027-01-20", "James Walker"),
    ("8 of the TOP-10 people support us", "Supporters", 8, "2027-03-31", "Richard Sun"),
)

# (phase, key action, owner, due, status, review note)
ACTIONS = (
    ("Relationship breakthrough", "Our CEO visits Edward Collins and invites him to the Suzhou showcase",
     "Andrew Gordon", "2026-11-26", "in_progress", "Trip confirmed"),
    ("Relationship breakthrough", "Safety briefing to answer Peter Holmes's concerns", "Mike Duncan",
     "2026-12-20", "open", ""),
    ("Solution shaping", "AI defect detection technical session", "Helen Hayes", "2026-10-28", "done",
     "Positive feedback from the CTO; he wants night-time detection data"),
    ("Solution shaping", "Submit the PMS3.0 / D5000 interface design and security report", "Helen Hayes",
     "2026-11-15", "done", "Approved by Digital"),
    ("Solution shaping", "Help draft the 220 kV smart inspection specification", "Helen Hayes", "2026-11-30",
     "in_progress", "First draft submitted"),
    ("Bid", "Write and review the bid", "James Walker", "2026-12-20", "open", ""),
    ("Bid", "Commercial clarification and second-round price strategy", "Richard Sun", "2027-01-10", "open", ""),
    ("Delivery and replication", "Negotiate the distribution room platform phase 2 contract", "James Walker",
     "2026-12-18", "in_progress", "Payment terms wait for Finance"),
    ("Delivery and replication", "Enter the provincial science award (with Victor Shaw)", "James Walker",
     "2027-02-28", "open", ""),
    ("Review", "Quarterly review and revision of the plan", "Richard Sun", "2027-03-31", "open", ""),
)

# M-SCORE-5: what the rep knows, per checklist question (the same 48 of 80 answered)
CHECKLIST_ANSWERS = {
    "C1.1": "Smart inspection of 220 kV substations and unattended distribution rooms",
    "C1.2": "Too few O&M staff, uneven inspection quality; the aim is fewer people and better reliability",
    "C1.3": "Victor Shaw, Deputy GM",
    "C1.4": "O&M, Digital, Procurement, Safety",
    "C2.1": "Transmission, distribution and retail power in the province",
    "C2.2": "13 cities in the province",
    "C2.4": "State Grid digital targets, the new-type power system, an ageing workforce",
    "C3.1": "Revenue up about 6% a year, margin steady near 3%",
    "C3.3": "Supply reliability, line loss, days without a safety incident",
    "C4.1": "About 120 million CNY for O&M digitalisation in 2027, released in December 2026",
    "C4.2": "Cities apply, the provincial O&M department consolidates, the executive meeting approves",
    "C4.3": "O&M digitalisation is one of the top three priorities for 2027",
    "C5.1": "The province requires smart inspection in 60% of 220 kV substations by 2027",
    "C5.2": "Tender opens January 2027",
    "U1.1": "6.85 million (smart inspection) + 4.28 million (distribution rooms phase 2)",
    "U1.2": "Yes, above the 3 million large-project line",
    "U1.3": "December 2026 to January 2027",
    "U2.1": "About 20 million in 2027, about 60 million over three years",
    "U2.3": "Roll-out to all 220 kV substations, then distribution and storage monitoring",
    "U3.1": "Gross margin about 32%",
    "U3.4": "Framework discount about 8%, margin still above the floor",
    "U4.1": "Night-time detection accuracy must be proven on site",
    "U4.2": "Interfaces on time, the pilot station shows results in three months",
    "U4.3": "Site work limited by the outage schedule",
    "U5.1": "A provincial grid reference that can be repeated across East China",
    "U5.2": "Fits our strategy of going deep in the power industry",
    "U5.3": "Use this case to enter the neighbouring provinces' grids",
    "K1.1": "Technical 50%, commercial 40%, service 10%",
    "K1.2": "Open tender, second-round price, the executive meeting awards",
    "K1.3": "Technical points: AI detection accuracy and interface fit",
    "K1.4": "Nigel Lambert (CTO) and the O&M department",
    "K2.1": "Covers inspection, alarms and closed-loop work orders",
    "K2.2": "Technically ahead, priced high",
    "K2.3": "Night-time detection data and the size of the local service team",
    "K3.1": "One salesperson and two presales, about three months",
    "K3.5": "On a par with Bohen Controls, more industry experience",
    "K4.1": "Overall at 'respect'; O&M already at 'trust'",
    "K4.2": "Lingford Electric is close to Procurement",
    "K4.3": "Victor Shaw and Anne Quinn",
    "K5.1": "One linked inspection, fewer site visits",
    "K5.2": "Measured by inspection hours and defects found",
    "K6.1": "Matthew Goodwin, Anne Quinn",
    "K6.2": "Tells us the scoring rules and competitors' moves early",
    "K6.3": "Willing, and sits on the technical evaluation",
    "K7.1": "Safety first, cautious, values reputation inside the grid system",
    "K8.2": "Victor Shaw values the showcase's visibility",
    "K9.1": "Edward Collins, President",
    "K10.1": "Edward Collins, Victor Shaw, Nigel Lambert",
}

# M-REL-4: the second responsible person of each TOP-10 relationship, in RELATIONSHIPS' order (None: none)
SECOND_OWNERS = ("James Walker", "Richard Sun", "Richard Sun", "James Walker", "Mike Duncan", "James Walker", None,
                 "James Walker", "Mike Duncan", "James Walker")

# M-REL-5: (name, kind, organisation, title, how they help, relationship level)
COACHES = (
    ("Matthew Goodwin", "insider", "Riverlane Power, O&M", "Head of Substation O&M",
     "Tells us the scoring rules and competitors' moves early; sits on the technical evaluation", "partner"),
    ("Philip Fang", "retired_executive", "Riverlane Power (retired)", "Former Deputy GM, now adviser",
     "Introduces us to the chairman, Robert Grant; explains how the group decides", "trust"),
    ("Daniel Price", "consultancy", "Hengtai Consulting", "Partner, power industry",
     "Helps write the group's digital plan; knows how the 2027 budget is split", "respect"),
)

# M-PLAN-1: route, strategy and the last review
PLAN_REVIEW = {
    "route": "Technical sessions and pilot results (Q4 2026) → win the 220 kV smart inspection tender (January "
             "2027) → sign distribution room platform phase 2 → roll out across the province, then the "
             "neighbouring grids",
    "strategy": "Break in through O&M and focus on two product lines, smart inspection and distribution room O&M; "
                "prove results with the Suzhou showcase and the two provincial grids; stand apart on local "
                "service and domestic certification, not on price",
    "reviewed_on": "2026-10-15",
    "reviewer": "Richard Sun",
    "revision": "2027 target raised from 15 to 20 million CNY; a relationship breakthrough with Safety added; the "
                "bid moved up to January 2027",
}

# M-PLAN-5: how this class of account is managed
CLASS_STRATEGY = ("Class A, keep: executive visits every quarter, weekly calls by the account manager, a dedicated "
                  "presales and service manager, first call on resources")

# (area, type, size in CNY, priority, basis, owner)
GROWTH_OPPORTUNITIES = (
    ("Distribution room O&M platform phase 2", "More volume", 4_280_000, "high",
     "Phase 1's 800 rooms cut repair time by 35%; the customer plans to connect 3,200 rooms in 2027",
     "James Walker"),
    ("Smart inspection for every 220 kV substation in the province", "New region", 12_000_000, "high",
     "Only 46 of 412 substations are smart; the 2027 target is 60% coverage", "James Walker"),
    ("Online monitoring of battery storage stations", "New product", 3_500_000, "medium",
     "9 storage stations added in 2026; O&M has asked about monitoring", "Helen Hayes"),
    ("Outsourced O&M service", "New service", 1_800_000, "low",
     "About 120 night-inspection staff short; the service budget grows every year", "Mike Duncan"),
)

# (shared objective, customer's commitment, ours, measures and steps, owner, date)
JOINT_PLAN = (
    ("Smart inspection in 60% of 220 kV substations in 2027",
     "Outage windows at 30 pilot substations; data access to PMS3.0",
     "The first 30 substations live within three months; two engineers on site",
     "Three batches, each accepted before the next starts", "James Walker", "2027-06-30"),
    ("Distribution room repairs 30% faster", "Two years of repair work orders; a named O&M contact",
     "Phase 2 live, a monthly repair efficiency report", "Sign phase 2 → connect 3,200 rooms → monthly review",
     "Mike Duncan", "2027-09-30"),
    ("A joint smart O&M innovation lab", "Lab space and O&M experts", "A five-person algorithm team and test "
     "equipment", "Apply together for a provincial science project", "Andrew Gordon", "2027-03-31"),
)

# (measure, target, actual, checked on, adjustment)
EXECUTION = (
    ("2026 contract value (CNY)", 5_000_000, 4_200_000, "2026-11-15",
     "Sign distribution room phase 2 in December to close the gap"),
    ("Pilot substation inspection time saved (%)", 50, 62, "2026-11-15", ""),
    ("TOP-10 people who support us", 8, 4, "2026-11-15",
     "Targeted work with Safety and Finance: the safety briefing and the life-cycle cost model"),
    ("Defects found at the pilot substation", 120, 131, "2026-11-15", ""),
)

# (success, replicate to, owner, due, status)
ROLLOUT = (
    ("The Suzhou linked robot and video inspection", "Riverlane Power's 13 city supply companies", "James Walker",
     "2027-12-31", "open"),
    ("Distribution room platform phase 2", "The two neighbouring provincial grids", "Richard Sun", "2028-06-30",
     "open"),
    ("The joint lab as a way of working together", "The other provincial grids of East China", "Andrew Gordon",
     "2028-12-31", "open"),
)
