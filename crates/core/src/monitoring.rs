//! Return-risk monitoring (防返贫动态监测): the kinds of monitored
//! household, the risks they are flagged for, how a flag arose, and the
//! steps of a case from flagging to clearing.

use crate::secondment::coded;

coded!(MonitoredKind {
    Unstable = "unstable", "脱贫不稳定户", "Unstable exited household";
    Marginal = "marginal", "边缘易致贫户", "Marginal household at risk";
    Sudden = "sudden", "突发严重困难户", "Household in sudden severe hardship";
});

coded!(Risk {
    LowIncome = "low_income", "收入低于监测标准", "Income below the threshold";
    IncomeDrop = "income_drop", "收入大幅下降", "Large income drop";
    Illness = "illness", "因病", "Illness";
    Disability = "disability", "因残", "Disability";
    Schooling = "schooling", "因学", "Schooling costs";
    Disaster = "disaster", "因灾", "Disaster";
    Accident = "accident", "因意外事故", "Accident";
    BusinessFailure = "business_failure", "因产业经营失败", "Failed business";
    UnstableEmployment = "unstable_employment", "因务工就业不稳", "Unstable employment";
    HousingSafety = "housing_safety", "住房安全问题", "Housing safety";
    WaterSafety = "water_safety", "饮水安全问题", "Drinking-water safety";
});

coded!(MonitoringStatus {
    Flagged = "flagged", "已预警", "Flagged";
    Verified = "verified", "已核实", "Verified";
    Monitored = "monitored", "监测帮扶中", "Monitored";
    Cleared = "cleared", "风险已消除", "Risk cleared";
});

coded!(FlagSource {
    Data = "data", "数据预警", "Registry data";
    Cadre = "cadre", "干部排查", "Found by a cadre";
    Application = "application", "农户自主申报", "Household's own application";
    Alert = "alert", "部门数据比对", "Departmental cross-check";
});

coded!(ClearReason {
    Assistance = "assistance", "帮扶消除", "Cleared by assistance";
    Natural = "natural", "自然消除", "Cleared naturally";
});
