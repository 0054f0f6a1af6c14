//! The annual assessment (成效评价/考核) of each unit's designated
//! assistance: its dimensions, its grades and its steps.

use crate::secondment::coded;

coded!(Dimension {
    Results = "results", "帮扶成效", "Results of assistance";
    Organisation = "organisation", "组织领导", "Organisation and leadership";
    Cadres = "cadres", "选派干部", "Cadres seconded";
    Supervision = "supervision", "督促检查", "Supervision and inspection";
    Satisfaction = "satisfaction", "基层满意情况", "Grassroots satisfaction";
    Innovation = "innovation", "工作创新", "Innovation";
});

coded!(Grade {
    Good = "good", "好", "Good";
    FairlyGood = "fairly_good", "较好", "Fairly good";
    Average = "average", "一般", "Average";
    Poor = "poor", "较差", "Poor";
});

coded!(AssessmentStatus {
    SelfReport = "self_report", "单位自评", "Self-report";
    Assessed = "assessed", "已评价", "Assessed";
    Reviewed = "reviewed", "已复核", "Reviewed";
    Published = "published", "已公布", "Published";
});

/// Scores are kept in hundredths of a point: 0..=10000 is 0–100.
pub const SCORE_SCALE: i64 = 100;
