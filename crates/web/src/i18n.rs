//! The words of the pages, in Chinese (first) and English. Templates call
//! `t("key")`; a test checks that every key they use is here.

/// (key, 中文, English)
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("app_name", "定点", "dingdian"),
    (
        "app_full",
        "定点扶贫信息系统",
        "Designated assistance information system",
    ),
    ("sign_in", "登录", "Sign in"),
    ("sign_out", "退出", "Sign out"),
    ("username", "用户名", "User name"),
    ("password", "密码", "Password"),
    (
        "sign_in_hint",
        "请使用分配给您的账号登录。连续 5 次密码错误将锁定账号 30 分钟。",
        "Sign in with the account you were given. Five wrong passwords in a row lock the account for 30 minutes.",
    ),
    (
        "demo_hint",
        "演示环境账号见启动时终端输出。",
        "The demo accounts are printed in the terminal at start.",
    ),
    // navigation
    ("nav_home", "工作台", "Start"),
    ("nav_pairing", "结对关系", "Pairings"),
    ("nav_plans", "定点方案", "Pairing plans"),
    ("nav_pairings", "结对明细", "Pairing list"),
    ("nav_coverage", "覆盖情况", "Coverage"),
    ("nav_units", "帮扶单位", "Assisting units"),
    ("nav_areas", "区划与重点县", "Areas and key counties"),
    ("nav_county_lists", "县名单", "County lists"),
    ("nav_admin", "系统管理", "Administration"),
    ("nav_users", "用户", "Users"),
    ("nav_audit", "审计日志", "Audit log"),
    ("nav_base", "基础数据", "Reference data"),
    // lists
    ("search", "查询", "Search"),
    ("reset", "重置", "Reset"),
    ("keyword", "关键字", "Keyword"),
    ("all", "全部", "All"),
    ("total_n", "共 {n} 条", "{n} in total"),
    ("export_excel", "导出 Excel", "Export to Excel"),
    ("prev_page", "上一页", "Previous"),
    ("next_page", "下一页", "Next"),
    (
        "page_n_of",
        "第 {page} / {pages} 页",
        "Page {page} of {pages}",
    ),
    ("no_records", "没有符合条件的记录", "Nothing matches"),
    ("actions", "操作", "Actions"),
    ("view", "查看", "View"),
    ("edit", "编辑", "Edit"),
    ("save", "保存", "Save"),
    ("cancel", "取消", "Cancel"),
    ("create", "新建", "New"),
    ("delete", "删除", "Delete"),
    ("import", "导入", "Import"),
    (
        "download_template",
        "下载导入模板",
        "Download the import template",
    ),
    ("file", "文件", "File"),
    ("upload", "上传并导入", "Upload and import"),
    ("required_mark", "必填", "required"),
    ("yes", "是", "Yes"),
    ("no", "否", "No"),
    (
        "form_has_errors",
        "请修改标红的内容后再提交",
        "Please correct the fields marked in red",
    ),
    (
        "import_all_or_nothing",
        "导入是整体进行的：只要有一行有误，就不写入任何数据，并列出所有错误（行号与 Excel 一致，表头为第 1 行）。",
        "Imports are all or nothing: if any row is wrong nothing is written and every problem is listed (row numbers as in Excel, the header is row 1).",
    ),
    ("row", "行", "Row"),
    ("column", "列", "Column"),
    ("value", "值", "Value"),
    ("problem", "问题", "Problem"),
    ("done_saved", "已保存", "Saved"),
    ("done_created", "已创建", "Created"),
    ("done_imported", "导入成功", "Imported"),
    (
        "done_transition",
        "方案状态已更新",
        "The plan's status changed",
    ),
    ("done_deleted", "已删除", "Deleted"),
    ("done_feedback", "意见已提交", "Your answer was recorded"),
    (
        "done_version",
        "已创建新版本草稿",
        "A new draft version was created",
    ),
    // home
    ("todo", "待办", "To do"),
    ("no_todo", "暂无待办事项", "Nothing to do"),
    ("todo_review", "待审核的方案", "Plans awaiting your review"),
    ("todo_returned", "被退回的方案", "Plans returned to you"),
    (
        "todo_consultation",
        "征求意见中的方案",
        "Plans in consultation",
    ),
    (
        "todo_feedback",
        "待反馈意见的方案",
        "Plans awaiting your answer",
    ),
    ("todo_drafts", "草稿方案", "Draft plans"),
    ("key_figures", "关键指标", "Key figures"),
    ("fig_key_counties", "重点县", "Key counties"),
    ("fig_covered", "已结对重点县", "Key counties paired"),
    ("fig_units", "帮扶单位", "Assisting units"),
    ("fig_pairings", "有效结对", "Pairings in force"),
    ("fig_my_counties", "本单位帮扶县", "Counties we assist"),
    (
        "fig_my_units",
        "帮扶本县的单位",
        "Units assisting this county",
    ),
    ("current_plan", "执行中的总体方案", "Active overall plan"),
    (
        "no_current_plan",
        "今天没有执行中的总体方案",
        "No overall plan is active today",
    ),
    (
        "admin_home",
        "请从左侧菜单进入所需功能。",
        "Choose a task from the menu on the left.",
    ),
    // areas
    ("area_code", "区划代码", "Area code"),
    ("area_name", "名称", "Name"),
    ("level", "层级", "Level"),
    ("province", "省份", "Province"),
    ("level_province", "省级", "Province"),
    ("level_prefecture", "地市级", "Prefecture"),
    ("level_county", "县级", "County"),
    ("level_township", "乡镇级", "Township"),
    ("level_village", "村级", "Village"),
    ("western", "西部地区", "Western region"),
    (
        "key_county",
        "国家扶贫开发工作重点县",
        "National key county",
    ),
    ("key_short", "重点县", "Key county"),
    ("poor_county", "贫困县", "Poor county"),
    ("old_revolutionary", "革命老区", "Old revolutionary area"),
    ("ethnic", "民族地区", "Ethnic area"),
    ("border", "边疆地区", "Border area"),
    (
        "contiguous_area",
        "集中连片特困地区",
        "Contiguous destitute area",
    ),
    ("exit_year", "摘帽年度", "Exit year"),
    ("attributes", "县属性", "County attributes"),
    ("children", "下级区划", "Areas within"),
    (
        "partial_list_warning",
        "注意：随产品提供的重点县名单不完整（592 个中只含 7 个省的 191 个）。请在“县名单”导入完整名单，或在县页面逐个修改。",
        "Note: the key-county list shipped with the product is partial (191 of 592, 7 provinces). Import the full list under County lists, or edit counties one by one.",
    ),
    ("only_key", "只看重点县", "Key counties only"),
    (
        "pairings_of_county",
        "本县的结对",
        "Pairings of this county",
    ),
    // county lists
    ("list_code", "名单代码", "List code"),
    ("list_name", "名单名称", "List name"),
    ("list_period", "适用年度", "Years"),
    ("members", "县数", "Counties"),
    ("partial", "不完整", "Partial"),
    (
        "import_counties",
        "导入县（CSV/xlsx，列：区划代码）",
        "Import counties (CSV/xlsx, column: code)",
    ),
    ("new_list", "新建县名单", "New county list"),
    ("name_zh", "中文名称", "Chinese name"),
    ("name_en", "英文名称", "English name"),
    ("start_year", "开始年度", "First year"),
    ("end_year", "结束年度", "Last year"),
    // units
    ("unit", "帮扶单位", "Assisting unit"),
    ("unit_name", "单位名称", "Unit name"),
    ("unit_kind", "单位类型", "Unit kind"),
    ("leader", "分管领导", "Responsible leader"),
    ("department", "分管部门", "Responsible department"),
    ("contact_name", "联系人", "Contact"),
    ("contact_phone", "联系电话", "Phone"),
    ("contact_email", "电子邮箱", "E-mail"),
    ("address", "地址", "Address"),
    ("note", "备注", "Note"),
    ("new_unit", "新建帮扶单位", "New assisting unit"),
    ("edit_unit", "编辑帮扶单位", "Edit assisting unit"),
    ("import_units", "导入帮扶单位", "Import assisting units"),
    (
        "import_units_hint",
        "已存在的同名单位将被更新，不会重复创建。",
        "A unit whose name exists is updated, never duplicated.",
    ),
    ("unit_pairings", "本单位的结对", "This unit's pairings"),
    // plans
    ("plan", "方案", "Plan"),
    ("plan_name", "方案名称", "Plan name"),
    ("plan_kind", "方案类型", "Kind"),
    ("kind_overall", "总体方案", "Overall plan"),
    ("kind_specific", "具体方案", "Specific plan"),
    ("period", "期限", "Period"),
    ("period_start", "开始日期", "Start"),
    ("period_end", "结束日期", "End"),
    ("status", "状态", "Status"),
    ("version", "版本", "Version"),
    ("county_list", "须覆盖的县名单", "County list to cover"),
    ("parent_plan", "所依据的总体方案", "Overall plan drawn from"),
    ("new_plan", "新建方案", "New plan"),
    ("edit_plan", "修改方案", "Edit plan"),
    ("workflow", "流程", "Workflow"),
    ("history", "流转记录", "History"),
    ("when", "时间", "When"),
    ("who", "操作人", "Who"),
    ("from_to", "状态变化", "Change"),
    ("reason", "理由", "Reason"),
    ("reason_hint", "退回时必填", "required when returning"),
    ("to_consultation", "发起征求意见", "Start consultation"),
    ("to_draft", "退回草稿修改", "Back to draft"),
    ("to_submitted", "提交审核", "Submit for review"),
    ("to_approved", "审核通过", "Approve"),
    ("to_returned", "退回", "Return"),
    ("to_active", "生效执行", "Put into force"),
    (
        "confirm_irreversible",
        "此操作不可撤销，请确认。",
        "This cannot be undone. Please confirm.",
    ),
    ("i_confirm", "我已确认", "I confirm"),
    ("pairings", "结对", "Pairings"),
    ("pairing_role", "角色", "Role"),
    ("role_lead", "牵头", "Lead"),
    ("role_member", "参与", "Member"),
    ("start", "开始", "Start"),
    ("end", "结束", "End"),
    ("county", "县", "County"),
    ("county_code", "县级区划代码", "County code"),
    ("add_pairing", "添加结对", "Add a pairing"),
    ("import_pairings", "导入结对", "Import pairings"),
    (
        "pairing_dates_hint",
        "留空则为方案的整个期限",
        "leave empty for the plan's whole period",
    ),
    ("feedback", "征求意见", "Consultation"),
    (
        "feedback_accept",
        "同意本单位的结对安排",
        "Accept our pairings",
    ),
    ("feedback_comment", "提出意见", "Comment"),
    ("your_comment", "意见内容", "Your comment"),
    ("no_feedback", "尚无单位反馈", "No unit has answered yet"),
    ("fb_accept", "同意", "Accepted"),
    ("fb_comment", "意见", "Comment"),
    (
        "exceptions",
        "未覆盖重点县的说明",
        "Reasons for uncovered key counties",
    ),
    ("record_exception", "记录原因", "Record a reason"),
    ("new_version", "另建新版本", "Start a new version"),
    (
        "new_version_hint",
        "已通过的方案不可修改；如需调整，请另建新版本，审核通过并生效后替代本版本。",
        "An approved plan cannot change: start a new version, which replaces this one once approved and put into force.",
    ),
    (
        "diff",
        "与上一版本比较",
        "Compare with the previous version",
    ),
    ("diff_title", "版本差异", "Differences between versions"),
    ("added", "新增", "Added"),
    ("removed", "删除", "Removed"),
    ("changed", "变更", "Changed"),
    ("before", "修改前", "Before"),
    ("after", "修改后", "After"),
    (
        "no_diff",
        "两个版本的结对完全相同",
        "The two versions have the same pairings",
    ),
    ("later_versions", "后续版本", "Later versions"),
    ("previous_version", "上一版本", "Previous version"),
    (
        "derive_specific",
        "据此制定具体方案",
        "Draw a specific plan from it",
    ),
    (
        "derive_hint",
        "选择一组单位，其结对将复制到新的具体方案。",
        "Choose a group of units; their pairings are copied into the new specific plan.",
    ),
    ("select_units", "选择单位", "Units"),
    (
        "readonly_plan",
        "只读：您的角色不能修改此方案",
        "Read only: your role cannot change this plan",
    ),
    (
        "only_own_pairings",
        "您只能看到本单位（或本县）的结对。",
        "You see only your own unit's (or county's) pairings.",
    ),
    // coverage
    ("coverage", "覆盖情况", "Coverage"),
    ("coverage_on", "统计日期", "On"),
    (
        "coverage_by_province",
        "各省重点县结对覆盖情况",
        "Key counties paired, by province",
    ),
    (
        "uncovered",
        "未结对的重点县",
        "Key counties without a pairing",
    ),
    (
        "all_covered",
        "全部重点县均已结对",
        "Every key county is paired",
    ),
    ("priority", "优先级", "Priority"),
    ("priority_1", "西部地区", "Western region"),
    (
        "priority_2",
        "老区/民族/边疆",
        "Old revolutionary / ethnic / border",
    ),
    ("priority_3", "其他", "Other"),
    ("source", "来源", "Source"),
    (
        "covered_of",
        "已结对 {covered} / 共 {total} 个",
        "{covered} of {total} paired",
    ),
    ("choose_plan", "方案", "Plan"),
    // users and audit
    ("display_name", "姓名", "Name"),
    ("role", "角色", "Role"),
    ("scope", "范围", "Scope"),
    ("active", "启用", "Active"),
    ("new_user", "新建用户", "New user"),
    (
        "password_rule",
        "至少 8 位，含大写字母、小写字母、数字、符号中的三类",
        "at least 8 characters from three of: upper case, lower case, digits, symbols",
    ),
    ("action", "操作", "Action"),
    ("object", "对象", "Object"),
    ("outcome", "结果", "Outcome"),
    ("detail", "详情", "Detail"),
    ("ip_address", "地址", "Address"),
    // errors
    ("error", "出错了", "Something went wrong"),
    ("back", "返回", "Back"),
    ("not_found_page", "页面不存在", "No such page"),
];

pub fn t(lang: &str, key: &str) -> String {
    match MESSAGES.iter().find(|(k, _, _)| *k == key) {
        Some((_, zh, en)) => if lang == "en" { en } else { zh }.to_string(),
        None => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<_> = MESSAGES.iter().map(|m| m.0).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key appears twice in the catalog");
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let sources = [
            crate::render::TEMPLATES
                .iter()
                .map(|(_, s)| *s)
                .collect::<Vec<_>>()
                .join("\n"),
            include_str!("pages/mod.rs").to_string(),
            include_str!("pages/home.rs").to_string(),
            include_str!("pages/plans.rs").to_string(),
        ];
        let mut missing = Vec::new();
        for src in &sources {
            for (i, _) in src.match_indices("t(\"") {
                // Only calls of `t` itself, not `insert("…")` or `format("…")`.
                if src[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
                {
                    continue;
                }
                let key = src[i + 3..].split('"').next().unwrap_or("");
                // `t("level_" ~ a.level)`: a prefix completed at run time.
                let found = if key.ends_with('_') {
                    MESSAGES.iter().any(|m| m.0.starts_with(key))
                } else {
                    MESSAGES.iter().any(|m| m.0 == key)
                };
                if !key.is_empty() && !found {
                    missing.push(key.to_string());
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalog: {missing:?}"
        );
    }

    #[test]
    fn falls_back_to_chinese_and_to_the_key() {
        assert_eq!(t("en", "sign_in"), "Sign in");
        assert_eq!(t("zh", "sign_in"), "登录");
        assert_eq!(t("fr", "sign_in"), "登录");
        assert_eq!(t("zh", "no-such-key"), "no-such-key");
    }
}
