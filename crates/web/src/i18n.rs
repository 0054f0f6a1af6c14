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
    ("totp_code", "动态口令", "One-time code"),
    (
        "totp_hint",
        "账号已绑定身份验证器时填写其显示的 6 位数字",
        "If your account has a second factor: the 6 digits your authenticator app shows",
    ),
    // my account
    ("nav_account", "我的账户", "My account"),
    ("account_title", "我的账户", "My account"),
    ("change_password", "修改密码", "Change password"),
    ("current_password", "当前密码", "Current password"),
    ("new_password", "新密码", "New password"),
    (
        "password_changed_on",
        "密码最近修改于",
        "Password last changed",
    ),
    (
        "password_never_changed",
        "尚未修改（管理员设置的初始密码）",
        "not yet (the initial password set by the administrator)",
    ),
    (
        "second_factor",
        "动态口令（第二因素）",
        "Second factor (TOTP)",
    ),
    (
        "second_factor_on",
        "已绑定：登录时须输入身份验证器显示的动态口令。",
        "On: sign-in asks for the code your authenticator app shows.",
    ),
    (
        "second_factor_off",
        "未绑定。绑定后，登录时除密码外还须输入动态口令。",
        "Off. Once set up, sign-in asks for a code besides the password.",
    ),
    (
        "second_factor_required",
        "您的角色必须使用动态口令。",
        "Your role requires a second factor.",
    ),
    ("totp_begin", "开始绑定", "Set up"),
    ("totp_rebind", "更换身份验证器", "Replace the authenticator"),
    (
        "totp_scan",
        "在身份验证器（如 FreeOTP、Google Authenticator、Microsoft Authenticator）中添加下面这一行（或手动输入密钥），再输入它显示的 6 位数字确认：",
        "Add this line to an authenticator app (FreeOTP, Google Authenticator, Microsoft Authenticator…) or type in the secret, then confirm with the 6 digits it shows:",
    ),
    ("totp_confirm", "确认绑定", "Confirm"),
    ("done_password", "密码已修改", "Password changed"),
    ("done_totp", "动态口令已绑定", "Second factor set up"),
    ("done_role", "角色已分配", "Role assigned"),
    ("done_active", "账号状态已更新", "Account status changed"),
    ("done_unlocked", "账号已解锁", "Account unlocked"),
    (
        "done_reset",
        "密码已重置，用户下次登录时须修改",
        "Password reset; the user must change it at the next sign-in",
    ),
    // accounts (separated duties)
    ("role_pending", "待分配角色", "Awaiting a role"),
    ("locked_until", "锁定至", "Locked until"),
    ("demo_account", "演示账号", "Demo account"),
    (
        "new_user_hint",
        "新账号没有角色，由安全管理员分配角色和范围后才能登录；首次登录须修改密码。",
        "A new account has no role: it can sign in once the security administrator assigns its role and scope, and must change its password at the first sign-in.",
    ),
    ("assign_role", "分配角色和范围", "Assign role and scope"),
    (
        "assign_role_hint",
        "三类管理员角色只能在服务器上用 dingdian user add 设置。",
        "The three administrator roles are set only at the server with dingdian user add.",
    ),
    ("deactivate", "停用", "Deactivate"),
    ("activate", "启用", "Activate"),
    ("unlock", "解锁", "Unlock"),
    ("reset_password", "重置密码", "Reset password"),
    ("account_of", "账号", "Account"),
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
    ("audit_account", "账号", "Account"),
    ("audit_from", "起始日期", "From"),
    ("audit_to", "截止日期", "To"),
    ("outcome_success", "成功", "Success"),
    ("outcome_failure", "失败", "Failure"),
    ("outcome_refused", "拒绝", "Refused"),
    ("audit_hash", "哈希值", "Hash"),
    ("audit_verify", "校验审计链", "Verify the audit chain"),
    (
        "audit_verify_hint",
        "逐条重算全部记录的 SM3 哈希链，记录多时需要一些时间",
        "recomputes the SM3 hash chain over every record; takes a while on a long log",
    ),
    (
        "audit_chain_intact",
        "审计链完整：已校验 {n} 条记录。",
        "The audit chain is intact: {n} records checked.",
    ),
    (
        "audit_chain_head",
        "最新记录 #{id}，哈希值",
        "Newest record #{id}, hash",
    ),
    (
        "audit_chain_broken",
        "审计链已被破坏，首个异常记录 #{id}：",
        "The audit chain is broken. First broken record #{id}:",
    ),
    // registry and indicators
    ("nav_registry", "建档立卡", "Registry"),
    ("nav_households", "户信息", "Households"),
    ("nav_registry_import", "数据导入", "Data import"),
    ("nav_poverty_lines", "扶贫标准", "Poverty lines"),
    ("nav_stats", "统计分析", "Indicators"),
    ("nav_indicators", "指标看板", "Indicator dashboard"),
    ("nation", "全国", "China"),
    ("year", "年度", "Year"),
    ("village_code", "村级区划代码", "Village code"),
    (
        "ind_registered_population",
        "建档立卡人口",
        "Registered population",
    ),
    (
        "ind_registered_households",
        "建档立卡户数",
        "Registered households",
    ),
    ("ind_poor_population", "贫困人口", "Poor population"),
    ("ind_exited_population", "已脱贫人口", "Exited population"),
    ("ind_returned_population", "返贫人口", "Returned to poverty"),
    ("ind_rural_population", "农村人口", "Rural population"),
    ("ind_poverty_incidence", "贫困发生率", "Poverty incidence"),
    ("ind_return_rate", "返贫率", "Return rate"),
    (
        "ind_mean_income",
        "建档立卡人均纯收入",
        "Mean income (registered)",
    ),
    ("ind_fgt0", "贫困人口比例", "Headcount ratio (FGT0)"),
    ("ind_fgt1", "贫困距指数", "Poverty gap index (FGT1)"),
    ("ind_fgt2", "平方贫困距指数", "Squared poverty gap (FGT2)"),
    (
        "ind_rural_income_per_capita",
        "农民人均纯收入",
        "Rural income per capita",
    ),
    ("ind_rural_income_growth", "收入增长率", "Income growth"),
    (
        "ind_exit_eligible",
        "达到摘帽标准",
        "Meets the exit standard",
    ),
    ("exit_yes", "已达到", "Yes"),
    ("exit_no", "未达到", "Not yet"),
    (
        "exit_rule_west",
        "标准：贫困发生率低于 3%（西部地区）",
        "Standard: poverty incidence below 3% (western region)",
    ),
    (
        "exit_rule_other",
        "标准：贫困发生率低于 2%（中东部地区）",
        "Standard: poverty incidence below 2% (outside the western region)",
    ),
    ("vs_last_year", "比上年 {d}", "{d} on last year"),
    (
        "vs_last_year_pp",
        "比上年 {d} 个百分点",
        "{d} points on last year",
    ),
    ("growth_vs_last_year", "比上年增长 {d}", "{d} on last year"),
    ("n_households", "{n} 户", "{n} households"),
    ("unit_yuan", "元", "yuan"),
    ("unit_yuan_year", "元/人·年", "yuan per person per year"),
    (
        "chart_caption",
        "来源：建档立卡数据、统计部门数据（定点系统）· 制图日期 {date}",
        "Source: registry and statistics bureau data (dingdian) · drawn {date}",
    ),
    (
        "chart_incidence_years",
        "历年贫困发生率",
        "Poverty incidence by year",
    ),
    (
        "chart_poor_years",
        "历年贫困人口",
        "Poor population by year",
    ),
    (
        "chart_poor_by_child",
        "各{level}贫困人口",
        "Poor population by {level}",
    ),
    (
        "chart_poor_by_cause",
        "按主要致贫原因分的贫困人口",
        "Poor population by main cause",
    ),
    ("axis_percent", "单位：%", "Unit: %"),
    ("axis_people", "单位：人", "Unit: people"),
    ("top_n", "前 {n} 个", "top {n}"),
    (
        "children_by_level",
        "下级区划（{level}）",
        "Areas within ({level})",
    ),
    ("open_registry", "查看户信息", "Open the households"),
    (
        "sliced_note",
        "当前按脱贫状态或致贫原因筛选：各项指标只统计符合条件的人口。",
        "Filtered by status or cause: every figure counts only the matching people.",
    ),
    (
        "no_indicator_data",
        "该区划在所选年度没有建档立卡或统计数据。",
        "There is no registry or statistics data for this area and year.",
    ),
    (
        "indicator_notes",
        "百分比保留一位小数，金额为元（取整）；“—”表示缺少计算所需的数据（不是 0）。贫困发生率 = 贫困人口 / 农村人口。",
        "Percentages to one decimal, money in whole yuan; “—” means the data needed is missing (not zero). Poverty incidence = poor population / rural population.",
    ),
    ("reg_household", "户编号", "Household"),
    ("reveal_ids", "显示完整证件号码", "Show full ID numbers"),
    (
        "reveal_reason",
        "查看原因（记入审计日志）",
        "Reason (recorded in the audit log)",
    ),
    ("reg_village", "村", "Village"),
    ("reg_members", "人数", "Members"),
    ("reg_income", "人均纯收入", "Net income per person"),
    ("reg_status", "脱贫状态", "Status"),
    ("reg_identified_year", "识别年度", "Identified"),
    ("reg_exit_year", "脱贫年度", "Exited"),
    ("reg_cause", "主要致贫原因", "Main cause"),
    ("reg_status_poor", "未脱贫", "Poor"),
    ("reg_status_exited", "已脱贫", "Exited"),
    ("reg_status_returned", "返贫", "Returned"),
    ("reg_cause_illness", "因病", "Illness"),
    ("reg_cause_disability", "因残", "Disability"),
    ("reg_cause_schooling", "因学", "Schooling"),
    ("reg_cause_disaster", "因灾", "Disaster"),
    ("reg_cause_land", "缺土地", "Lack of land"),
    ("reg_cause_water", "缺水", "Lack of water"),
    ("reg_cause_skills", "缺技术", "Lack of skills"),
    ("reg_cause_labour", "缺劳力", "Lack of labour"),
    ("reg_cause_capital", "缺资金", "Lack of capital"),
    ("reg_cause_transport", "交通条件落后", "Poor transport"),
    (
        "reg_cause_own_drive",
        "自身发展动力不足",
        "Lack of own drive",
    ),
    // the optional extended registry fields
    ("household_type", "户类型", "Household type"),
    ("household_type_general", "一般贫困户", "General"),
    (
        "household_type_subsistence",
        "低保贫困户",
        "Subsistence allowance",
    ),
    (
        "household_type_five_guarantees",
        "特困供养贫困户",
        "Five guarantees (destitute support)",
    ),
    ("other_causes", "其他致贫原因", "Other causes"),
    ("wage_income", "工资性收入", "Wage income"),
    ("business_income", "生产经营性收入", "Business income"),
    ("property_income", "财产性收入", "Property income"),
    ("transfer_income", "转移性收入", "Transfer income"),
    (
        "unit_yuan_household_year",
        "元/户·年",
        "yuan per household per year",
    ),
    ("food_secure", "不愁吃", "Enough food"),
    ("clothing_secure", "不愁穿", "Enough clothing"),
    (
        "education_secure",
        "义务教育有保障",
        "Compulsory education secured",
    ),
    (
        "medical_secure",
        "基本医疗有保障",
        "Basic medical care secured",
    ),
    ("housing_secure", "住房安全有保障", "Safe housing secured"),
    (
        "water_secure",
        "饮水安全有保障",
        "Safe drinking water secured",
    ),
    ("health", "健康状况", "Health"),
    ("health_healthy", "健康", "Healthy"),
    ("health_chronic_illness", "长期慢性病", "Chronic illness"),
    ("health_serious_illness", "患有大病", "Serious illness"),
    ("health_disabled", "残疾", "Disabled"),
    ("education", "文化程度", "Schooling"),
    ("education_preschool", "学龄前儿童", "Pre-school child"),
    (
        "education_illiterate",
        "文盲或半文盲",
        "Illiterate or semi-literate",
    ),
    ("education_primary", "小学", "Primary school"),
    ("education_junior_secondary", "初中", "Junior secondary"),
    ("education_senior_secondary", "高中", "Senior secondary"),
    ("education_tertiary", "大专及以上", "College or above"),
    ("labour_skill", "劳动技能", "Labour skill"),
    ("labour_skill_skilled", "技能劳动力", "Skilled labour"),
    ("labour_skill_ordinary", "普通劳动力", "Ordinary labour"),
    (
        "labour_skill_weak",
        "弱劳动力或半劳动力",
        "Weak or half labour",
    ),
    (
        "labour_skill_lost",
        "丧失劳动力",
        "Lost the ability to work",
    ),
    ("labour_skill_no_labour", "无劳动力", "No labour"),
    ("migrant_work", "务工状况", "Migrant work"),
    (
        "migrant_work_not_working",
        "未务工",
        "Not working for wages",
    ),
    (
        "migrant_work_in_township",
        "乡镇内务工",
        "Within the township",
    ),
    ("migrant_work_in_county", "县内务工", "Within the county"),
    (
        "migrant_work_in_province",
        "省内务工",
        "Within the province",
    ),
    (
        "migrant_work_out_of_province",
        "省外务工",
        "Outside the province",
    ),
    (
        "optional_columns",
        "可选列（按户或按人填写，可不填）",
        "Optional columns (per household or per member, may be left out)",
    ),
    (
        "download_rejects",
        "下载被拒绝的行",
        "Download the rejected rows",
    ),
    (
        "download_rejects_note",
        "CSV 文件：原样保留被拒绝的行，最后一列“错误”说明原因；改正后可再次导入。",
        "A CSV file: the rejected rows as sent, with the reason in the last column “error” (“错误” for a Chinese reader); correct them and import the file again.",
    ),
    ("relation_head", "户主", "Head"),
    ("relation_spouse", "配偶", "Spouse"),
    ("relation_child", "子女", "Child"),
    ("relation_parent", "父母", "Parent"),
    ("relation_grandchild", "孙子女", "Grandchild"),
    ("relation_sibling", "兄弟姐妹", "Sibling"),
    ("relation_other", "其他", "Other"),
    ("relation", "与户主关系", "Relation to the head"),
    ("household_members", "家庭成员", "Household members"),
    ("sex", "性别", "Sex"),
    ("sex_male", "男", "Male"),
    ("sex_female", "女", "Female"),
    ("birth_year", "出生年份", "Born"),
    ("id_number", "证件号码", "ID number"),
    ("id_search", "按证件号码查询", "Find by ID number"),
    ("id_search_hint", "18 位证件号码", "18-character ID number"),
    (
        "id_search_note",
        "精确匹配：列出该证件号码在各年度的登记（仅限您有权查看的范围）。",
        "Exact match: lists the registrations of this ID number in every year (within what you may see).",
    ),
    (
        "id_not_found",
        "没有找到该证件号码的登记",
        "No registration with this ID number",
    ),
    ("timeline", "历年状态", "Status by year"),
    (
        "timeline_note",
        "识别年度 {identified}，脱贫年度 {exited}。点击年份查看当年记录。",
        "Identified {identified}, exited {exited}. Choose a year to see its record.",
    ),
    (
        "id_masked_note",
        "证件号码已脱敏显示（只显示前六位和后四位）。",
        "ID numbers are masked (only the first six and last four characters are shown).",
    ),
    (
        "id_full_note",
        "证件号码完整显示：本次查看已记入审计日志，请勿外传。",
        "ID numbers are shown in full: this view is recorded in the audit log. Do not pass them on.",
    ),
    (
        "registry_file",
        "建档立卡数据（成员名单）",
        "Registry file (member list)",
    ),
    (
        "registry_import_hint",
        "同一年度的同一户再次导入时将被替换，不会重复。大文件在后台导入，可随时查看进度。",
        "Importing a household of a year again replaces it, never duplicates it. Large files import in the background; the progress page shows how far it is.",
    ),
    (
        "statistics_file",
        "统计数据（农村人口、农民人均纯收入）",
        "Area statistics (rural population, income)",
    ),
    (
        "statistics_import_hint",
        "按年度和县级区划代码导入；同一年度同一县再次导入将被替换。",
        "Imported by year and county code; importing a year and county again replaces it.",
    ),
    ("columns", "列", "Columns"),
    (
        "skip_invalid",
        "跳过错误行（只导入正确的户）",
        "Skip invalid rows (import the valid households)",
    ),
    (
        "skip_invalid_rows",
        "跳过错误行（只导入正确的行）",
        "Skip invalid rows (import the valid rows)",
    ),
    ("dry_run", "仅检查不写入", "Check only, write nothing"),
    ("job", "导入任务", "Import job"),
    ("job_running", "进行中", "Running"),
    ("job_succeeded", "已完成", "Finished"),
    ("job_failed", "失败", "Failed"),
    ("phase", "阶段", "Phase"),
    ("phase_read", "读取文件", "Reading"),
    ("phase_validate", "校验", "Checking"),
    (
        "statistics_partial",
        "已导入 {rows} 行统计数据；{rejected} 行有误，未导入，原因见下表（改正后可再次导入，已导入的行会被替换而不会重复）。",
        "{rows} statistics rows imported; {rejected} rows had errors and were not imported: see why below (correct them and import again; imported rows are replaced, never doubled).",
    ),
    (
        "statistics_partial_checked",
        "检查完成（未写入）：{rows} 行可以导入；{rejected} 行有误，原因见下表。",
        "Checked, nothing written: {rows} rows can be imported; {rejected} rows have errors, see why below.",
    ),
    (
        "phase_households",
        "核对户与重复",
        "Checking households and duplicates",
    ),
    ("phase_index", "计算盲索引", "Indexing"),
    (
        "phase_check",
        "与库中数据核对",
        "Checking against the database",
    ),
    ("phase_write", "加密并写入", "Encrypting and writing"),
    (
        "job_refresh_note",
        "本页每秒自动刷新，完成后显示结果。",
        "This page refreshes every second and shows the outcome when done.",
    ),
    ("import_done", "导入完成", "The import is finished"),
    (
        "dry_run_done",
        "检查完成：未写入任何数据",
        "Check finished: nothing was written",
    ),
    ("report_households", "户数", "Households"),
    ("report_members", "人数", "Members"),
    ("report_rejected", "未导入的行", "Rows rejected"),
    ("rejected_rows", "未导入的行及原因", "Rejected rows and why"),
    (
        "import_failed",
        "导入失败：共 {n} 处错误，未写入任何数据。请修改后重新导入。",
        "The import failed: {n} problems, nothing was written. Correct them and import again.",
    ),
    (
        "import_failed_plain",
        "导入失败，未写入任何数据。",
        "The import failed and wrote nothing.",
    ),
    ("try_again", "重新导入", "Import again"),
    (
        "done_statistics",
        "统计数据已导入",
        "The statistics were imported",
    ),
    (
        "done_checked",
        "检查通过：文件无误，未写入数据",
        "Checked: the file is correct; nothing was written",
    ),
    (
        "poverty_lines_note",
        "国家农村扶贫标准（现价），单位：元/人·年。指标中的贫困距指数按当年标准计算。",
        "The national rural poverty line at current prices, yuan per person per year. The poverty gap measures use each year's line.",
    ),
    (
        "line_yuan",
        "扶贫标准（元/人·年）",
        "Line (yuan per person per year)",
    ),
    (
        "amend_line",
        "修改或新增年度标准",
        "Amend or add a year's line",
    ),
    // errors
    ("error", "出错了", "Something went wrong"),
    ("back", "返回", "Back"),
    ("not_found_page", "页面不存在", "No such page"),
    // issue 9: registry identity and name search
    ("household_search", "查询农户", "Find households"),
    (
        "name_search",
        "按户主姓名或村名查询",
        "Find by head's name or village",
    ),
    ("reg_head_name", "户主姓名", "Head's name"),
    ("reg_head", "户主", "Head"),
    ("all_years", "全部年度", "All years"),
    (
        "name_search_note",
        "户主姓名须填写完整（空格和全角半角不计）：姓名经加密保存，只能整名精确匹配，不能按姓或部分字查询。村名可填登记全称（如“庙沟村村民委员会”）或简称（如“庙沟村”）。仅在您有权查看的范围内查询；按姓名查询会记入审计日志（不记录所查姓名）。",
        "Give the head's whole name (spaces and full/half width aside): names are stored encrypted and match only as a whole, never by surname or part of a name. A village may be given by its registered name (e.g. 庙沟村村民委员会) or its short name (庙沟村). Searches stay within what you may see; a search by name is recorded in the audit log (without the name searched for).",
    ),
    (
        "name_not_found",
        "没有找到符合条件的农户",
        "No household matches",
    ),
    (
        "head_break_warning",
        "注意：此户编号在不同年度登记的户主不是同一人（证件号码和姓名均不同），历年记录可能属于不相关的两户，不应视为同一户的连续历史。",
        "Note: this household number was registered with different heads in different years (neither ID number nor name match); its years may belong to unrelated families and are not one household's continuous history.",
    ),
    ("head_changed_here", "户主变更", "new head"),
    (
        "head_other_person",
        "与前一户主不是同一人",
        "not the previous head",
    ),
    (
        "identity_changes_note",
        "警告：{n} 户的户编号在上一年度登记的村或户主与本次不同，可能是重复使用了其他户的编号。这些户已按文件导入，请核对：",
        "Warning: {n} households carry a number that was registered the year before with another village or another head; the number may have been reused. They were imported as in the file; please check them:",
    ),
    ("identity_compared_with", "对比年度", "Compared with"),
    ("identity_what", "差异", "Difference"),
    ("identity_village_changed", "所在村不同", "village differs"),
    (
        "identity_head_changed",
        "户主不同（证件号码和姓名均不同）",
        "another head (ID number and name both differ)",
    ),
    (
        "identity_other_county",
        "上一年度该户编号属于其他县",
        "the year before, the number belonged to another county",
    ),
    (
        "identity_changes_more",
        "另有 {n} 户未列出。",
        "{n} more not listed.",
    ),
    // issue 9: pages and words
    ("audit_a_login", "登录", "Sign-in"),
    ("audit_a_logout", "退出登录", "Sign-out"),
    ("audit_a_plan_create", "新建方案", "Plan created"),
    ("audit_a_plan_update", "修改方案", "Plan edited"),
    (
        "audit_a_plan_transition",
        "方案状态变更",
        "Plan status changed",
    ),
    (
        "audit_a_plan_new_version",
        "新建方案版本",
        "New plan version",
    ),
    ("audit_a_plan_derive", "生成具体方案", "Specific plan drawn"),
    ("audit_a_plan_feedback", "单位反馈意见", "Unit feedback"),
    (
        "audit_a_plan_coverage_exception",
        "记录未覆盖理由",
        "Reason for an uncovered county",
    ),
    (
        "audit_a_plan_coverage_exception_import",
        "批量导入未覆盖理由",
        "Reasons for uncovered counties imported",
    ),
    ("audit_a_plan_export", "导出方案", "Plans exported"),
    ("audit_a_pairing_create", "新增结对", "Pairing added"),
    ("audit_a_pairing_delete", "删除结对", "Pairing deleted"),
    ("audit_a_pairing_import", "导入结对", "Pairings imported"),
    ("audit_a_pairing_export", "导出结对", "Pairings exported"),
    ("audit_a_unit_create", "新增单位", "Unit added"),
    ("audit_a_unit_update", "修改单位", "Unit edited"),
    ("audit_a_unit_import", "导入单位", "Units imported"),
    ("audit_a_unit_export", "导出单位", "Units exported"),
    (
        "audit_a_county_update",
        "修改县属性",
        "County attributes edited",
    ),
    (
        "audit_a_county_list_create",
        "新建县名单",
        "County list created",
    ),
    (
        "audit_a_county_list_import",
        "导入县名单",
        "County list imported",
    ),
    ("audit_a_user_create", "新建账号", "Account created"),
    ("audit_a_user_activate", "启用账号", "Account activated"),
    ("audit_a_user_deactivate", "停用账号", "Account deactivated"),
    ("audit_a_user_export", "导出账号", "Accounts exported"),
    (
        "audit_a_user_password_change",
        "修改密码",
        "Password changed",
    ),
    ("audit_a_user_password_reset", "重置密码", "Password reset"),
    ("audit_a_user_role", "分配角色", "Role assigned"),
    (
        "audit_a_user_totp_begin",
        "开始设置身份验证器",
        "Authenticator set-up started",
    ),
    (
        "audit_a_user_totp_enrol",
        "设置身份验证器",
        "Authenticator enrolled",
    ),
    ("audit_a_user_unlock", "解锁账号", "Account unlocked"),
    (
        "audit_a_registry_import",
        "导入建档立卡数据",
        "Registry imported",
    ),
    (
        "audit_a_registry_import_dry_run",
        "检查建档立卡数据（不写入）",
        "Registry checked (dry run)",
    ),
    (
        "audit_a_registry_export",
        "导出建档立卡数据",
        "Registry exported",
    ),
    (
        "audit_a_registry_disclose",
        "查看完整证件号码",
        "Full ID numbers shown",
    ),
    (
        "audit_a_registry_rejects_download",
        "下载被拒绝的行",
        "Rejected rows downloaded",
    ),
    (
        "audit_a_statistics_import",
        "导入统计数据",
        "Statistics imported",
    ),
    (
        "audit_a_poverty_line_set",
        "修改扶贫标准",
        "Poverty line set",
    ),
    (
        "audit_a_key_rotate",
        "更换个人信息密钥",
        "Personal-data key rotated",
    ),
    (
        "audit_a_key_rotate_start",
        "开始更换个人信息密钥",
        "Key rotation started",
    ),
    ("audit_a_audit_export", "导出审计日志", "Audit log exported"),
    ("audit_a_backup", "备份数据库", "Database backed up"),
    ("audit_a_restore", "恢复数据库", "Database restored"),
    ("audit_o_plan", "方案", "Plan"),
    ("audit_o_user", "账号", "Account"),
    ("audit_o_household", "户", "Household"),
    ("audit_o_households", "户", "Households"),
    ("audit_o_unit", "单位", "Unit"),
    ("audit_o_area", "区划", "Area"),
    ("audit_o_county", "县", "County"),
    ("audit_o_county_list", "县名单", "County list"),
    ("audit_o_file", "文件", "File"),
    ("audit_o_job", "导入任务", "Import job"),
    (
        "audit_o_personal_data_key",
        "个人信息密钥",
        "Personal-data key",
    ),
    ("audit_o_poverty_line", "扶贫标准", "Poverty line"),
    ("audit_o_registry", "建档立卡数据", "Registry"),
    ("audit_o_audit", "审计日志", "Audit log"),
    (
        "audit_d_transition_reason",
        "由“{a}”转为“{b}”，理由：{c}",
        "from {a} to {b}, reason: {c}",
    ),
    ("audit_d_transition", "由“{a}”转为“{b}”", "from {a} to {b}"),
    (
        "audit_d_role_change",
        "角色由“{a}”改为“{b}”",
        "role changed from {a} to {b}",
    ),
    ("audit_d_county_reason", "县 {a}：{b}", "county {a}: {b}"),
    ("audit_d_role", "角色：{a}", "role: {a}"),
    ("audit_d_unit", "单位 #{a}", "unit #{a}"),
    ("audit_d_county", "县 {a}", "county {a}"),
    (
        "audit_d_households",
        "{a} 户 {b} 人，拒绝 {c} 行",
        "{a} households, {b} people, {c} rows rejected",
    ),
    (
        "audit_d_rows_rejected",
        "{a} 行，拒绝 {b} 行",
        "{a} rows, {b} rejected",
    ),
    (
        "audit_d_disclosed",
        "完整显示 {a} 个证件号码",
        "{a} ID numbers shown in full",
    ),
    ("audit_d_reason", "理由：{a}", "reason: {a}"),
    (
        "audit_d_derived",
        "依据方案 #{a}，{b} 个结对",
        "from plan #{a}, {b} pairings",
    ),
    ("audit_d_from_plan", "依据方案 #{a}", "from plan #{a}"),
    (
        "audit_d_pairings_from",
        "从 {b} 导入 {a} 个结对",
        "{a} pairings from {b}",
    ),
    (
        "audit_d_reasons_from",
        "从 {b} 导入 {a} 条理由",
        "{a} reasons from {b}",
    ),
    (
        "audit_d_pairing_role",
        "单位 #{a} 与县 {b}（{c}）",
        "unit #{a} with county {b} ({c})",
    ),
    (
        "audit_d_pairing",
        "单位 #{a} 与县 {b}",
        "unit #{a} with county {b}",
    ),
    (
        "audit_d_created_updated",
        "新增 {a} 个，更新 {b} 个",
        "{a} created, {b} updated",
    ),
    (
        "audit_d_added_of",
        "{b} 个中新增 {a} 个",
        "{a} added of {b}",
    ),
    ("audit_d_restricted", "受限：{a}", "restricted: {a}"),
    ("audit_d_rows", "{a} 行", "{a} rows"),
    ("audit_d_members", "{a} 人", "{a} people"),
    ("audit_d_bytes", "{a} 字节", "{a} bytes"),
    ("audit_d_fen", "{a} 分", "{a} fen"),
    ("audit_w_web", "网页", "web page"),
    ("audit_w_api", "接口", "API"),
    ("audit_w_unknown_user", "账号不存在", "no such account"),
    ("audit_w_locked", "账号已锁定", "account locked"),
    ("audit_w_inactive", "账号已停用", "account deactivated"),
    ("audit_w_wrong_password", "密码错误", "wrong password"),
    (
        "audit_w_bad_totp",
        "动态口令错误或已用过",
        "wrong or reused code",
    ),
    (
        "audit_w_account_locked",
        "账号因此锁定",
        "the account is now locked",
    ),
    (
        "audit_w_demo_outside",
        "演示账号（服务器不在演示模式）",
        "demo account outside demo mode",
    ),
    (
        "audit_w_no_role",
        "账号尚无角色或范围",
        "the account has no role or scope",
    ),
    ("audit_w_totp_missing", "未填动态口令", "no code given"),
    (
        "audit_w_second_factor",
        "有第二验证因素",
        "with a second factor",
    ),
    (
        "audit_w_password_expired",
        "须先修改密码",
        "must change the password",
    ),
    (
        "audit_w_second_factor_required",
        "须先设置身份验证器",
        "must enrol an authenticator",
    ),
    ("audit_stored_code", "原始记录", "As stored"),
    (
        "pl_note_2010_standard",
        "2010 年标准，按 2010 年价格",
        "2010 standard at 2010 prices",
    ),
    ("pl_note_current", "现价", "current prices"),
    (
        "pl_note_current_secondary",
        "现价（转引自二手资料）",
        "current prices (secondary source)",
    ),
    (
        "pl_note_2020_approx",
        "2020 年公布的约数",
        "approximate figure announced for 2020",
    ),
    (
        "cl_note_key_2012",
        "随产品提供的名单只含 7 个省的 191 个县（共 592 个），请导入或补录完整名单。",
        "The shipped list holds 191 of the 592 counties (7 of 21 provinces); import or edit the full list.",
    ),
    (
        "cl_note_poor_2014",
        "产品未附带此名单，请导入。",
        "Not shipped with the product: import it.",
    ),
    (
        "feedback_answered",
        "已反馈 {x}/{y} 单位",
        "{x} of {y} units have answered",
    ),
    (
        "uncovered_counties_n",
        "未覆盖的县（{n} 个）",
        "Uncovered counties ({n})",
    ),
    (
        "uncovered_none",
        "每个县都已覆盖或已记录理由。",
        "Every county is covered or has a recorded reason.",
    ),
    (
        "reasons_recorded_n",
        "已记录理由 {n} 个",
        "{n} with a recorded reason",
    ),
    (
        "import_reasons",
        "批量导入未覆盖理由",
        "Import reasons in bulk",
    ),
    (
        "import_reasons_hint",
        "CSV 或 xlsx 文件，列为“县级区划代码”“未覆盖理由”（“县名称”可有可无），检查与逐个填写相同；全部正确才导入。",
        "A CSV or xlsx file with the columns “县级区划代码” (county code) and “未覆盖理由” (reason), “县名称” optional; checked as one by one, imported only when every row is right.",
    ),
    (
        "download_uncovered",
        "下载未覆盖县清单（填写理由后导入）",
        "Download the uncovered counties (fill in the reasons, then import)",
    ),
    (
        "pairing_filter",
        "按县、单位名称或代码筛选",
        "Filter by county or unit name or code",
    ),
    (
        "already_agreed",
        "本单位已表示同意。",
        "Your unit has agreed.",
    ),
    (
        "plan_add_or_import",
        "添加或导入结对",
        "Add or import pairings",
    ),
    // issue 9: jobs and disclosure through imports
    ("phase_refresh", "更新统计", "Updating the figures"),
    (
        "errors_listed_first",
        "共 {total} 处错误，下面只列出前 {n} 处",
        "{total} problems in all; only the first {n} are listed below",
    ),
    (
        "import_flagged_elsewhere",
        "本文件有 {n} 个证件号码本年度已在其他县登记，已标记并记入审计日志，由扶贫办核实处理",
        "{n} ID numbers of this file are already registered in other counties this year: the file is flagged in the audit log for the office to resolve",
    ),
    // issue 9: access and API hardening
    (
        "reset_second_factor",
        "重置动态口令",
        "Reset the second factor",
    ),
    (
        "reset_second_factor_hint",
        "手机丢失或更换时使用：旧的动态口令随即失效。必须使用动态口令的角色会立即得到新口令（显示在本页），请当面交给账号本人；其他角色的动态口令被解除。",
        "For a lost or replaced phone: the old one stops working. A role that needs a second factor gets a new one at once (shown on this page): hand it to the account's owner in person. For other roles it is removed.",
    ),
    ("done_totp_reset", "动态口令已重置", "Second factor reset"),
    (
        "issued_second_factor",
        "发放的动态口令",
        "Issued second factor",
    ),
    (
        "issued_second_factor_hint",
        "此角色必须使用动态口令。请把下面这一行（或其中 secret= 之后的部分）当面交给账号本人，添加到身份验证器；本人首次用它登录后，这里不再显示。",
        "This role needs a second factor. Hand the line below (or the part after secret=) to the account's owner in person, to add to an authenticator app; it is no longer shown once the owner has signed in with it.",
    ),
    // issue 9: indicators and completeness
    (
        "incomplete_title",
        "{year} 年的数据看来不完整：不据此作摘帽判断，也不与上年比较。",
        "The data of {year} looks incomplete: no exit verdict and no comparison with last year are drawn from it.",
    ),
    (
        "incomplete_registered_population",
        "建档立卡人口 {n} 人，不到 {y} 年（{m} 人）的一半。",
        "{n} registered people, less than half of {y} ({m}).",
    ),
    (
        "incomplete_villages",
        "有建档立卡人口的村 {n} 个，不到 {y} 年（{m} 个）的一半。",
        "{n} villages with registered people, less than half of {y} ({m}).",
    ),
    (
        "incomplete_townships",
        "有建档立卡人口的乡镇 {n} 个，不到 {y} 年（{m} 个）的一半。",
        "{n} townships with registered people, less than half of {y} ({m}).",
    ),
    (
        "incomplete_hint",
        "是否只导入了部分户？导入该年的完整文件后再看。看板默认显示最近一个完整的年度。",
        "Were only some households imported? Import the year's full file. The dashboard opens on the latest complete year.",
    ),
    (
        "default_year_note",
        "显示的是最近一个完整的年度 {year}；{latest} 年的数据看来不完整，可在“年度”中选择。",
        "Showing {year}, the latest complete year; the data of {latest} looks incomplete (choose it under Year).",
    ),
    ("year_incomplete_mark", "（不完整）", " (incomplete)"),
    ("exit_withheld", "暂不判断", "Not judged"),
    (
        "exit_withheld_note",
        "本年数据看来不完整，见上方说明",
        "This year's data looks incomplete; see above",
    ),
    (
        "missing_rural_population",
        "缺少 {n} 个县的农村人口",
        "Rural population missing for {n} counties",
    ),
    (
        "missing_rural_population_cell",
        "—（缺 {n} 县）",
        "— ({n} counties missing)",
    ),
    (
        "chart_incomplete_note",
        "标 * 的年份数据看来不完整。",
        "Years marked * look incomplete.",
    ),
    (
        "smaller_than_before_title",
        "注意：以下县导入后的登记人数不到其上一年度的一半。文件是否只含部分户？补齐之前，这些年度在指标中标为不完整，不作摘帽判断。",
        "Note: after this import these counties hold less than half the people of their previous year. Does the file hold only some households? Until it is completed, these years are marked incomplete in the indicators and get no exit verdict.",
    ),
    (
        "smaller_than_before_row",
        "{county}（{code}）：{year} 年 {n} 人，{prev_year} 年 {prev} 人",
        "{county} ({code}): {n} people in {year}, {prev} in {prev_year}",
    ),
    (
        "key_list_origin",
        "随产品提供的名单有 {shipped} 个县（{shipped_p} 个省）；本库名单现有 {n} 个县（{p} 个省）。",
        "The shipped list has {shipped} counties ({shipped_p} provinces); the list here now has {n} counties ({p} provinces).",
    ),
    (
        "key_list_added",
        "本库加入的（在县页面、名单导入或演示数据中）：{names}。",
        "Added here (on a county page, by a list import or by the demo data): {names}.",
    ),
    (
        "key_list_removed",
        "从随附名单中移出的：{names}。",
        "Removed from the shipped list: {names}.",
    ),
    ("and_n_more", "等 {n} 个", "and {n} more"),
    // issue 9: audit words for the attempts, searches and second factors
    (
        "audit_a_registry_search_name",
        "按户主姓名查询",
        "Search by head's name",
    ),
    (
        "audit_a_statistics_import_dry_run",
        "检查统计数据文件（不写入）",
        "Statistics file checked (nothing written)",
    ),
    (
        "audit_a_user_totp_reset",
        "重置动态口令",
        "Second factor reset",
    ),
    (
        "audit_d_rows_elsewhere",
        "{a} 行，拒绝 {b} 行，{c} 个证件号码已在其他县登记",
        "{a} rows, {b} rejected, {c} ID numbers registered in other counties",
    ),
    ("audit_d_problems", "{a} 处问题", "{a} problems"),
    (
        "audit_d_households_found",
        "找到 {a} 户",
        "{a} households found",
    ),
    (
        "audit_w_locked_unknown",
        "账号已锁定（无此用户）",
        "locked (no such user)",
    ),
    (
        "audit_w_flagged",
        "已标记：大量证件号码已在其他县登记",
        "flagged: many ID numbers registered in other counties",
    ),
    ("audit_w_invalid", "文件有误", "the file was invalid"),
    ("audit_w_internal", "系统错误", "the system failed"),
    ("audit_w_disk_full", "磁盘已满", "the disk was full"),
    ("audit_w_forbidden", "无权操作", "not permitted"),
    // issue 10: door
    ("audit_a_area_export", "导出区划", "Areas exported"),
    (
        "audit_a_household_export",
        "导出贫困户列表",
        "Household list exported",
    ),
    (
        "audit_a_plan_uncovered_export",
        "导出方案未覆盖县",
        "Uncovered counties of a plan exported",
    ),
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
            include_str!("pages/indicators.rs").to_string(),
            include_str!("pages/registry.rs").to_string(),
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
        // Calls from Rust: `t(lang, "key")`, `t(&pc.lang, "key")`.
        for src in &sources[1..] {
            for prefix in ["t(lang, \"", "t(&pc.lang, \""] {
                for (i, _) in src.match_indices(prefix) {
                    let key = src[i + prefix.len()..].split('"').next().unwrap_or("");
                    if !key.is_empty() && !MESSAGES.iter().any(|m| m.0 == key) {
                        missing.push(key.to_string());
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalog: {missing:?}"
        );
    }

    #[test]
    fn registry_words_and_indicator_names_are_in_the_catalog() {
        use dingdian_core::registry::{ALL_CAUSES, ALL_RELATIONS, ALL_STATUSES};
        let mut keys: Vec<String> = crate::pages::indicators::COLUMNS
            .iter()
            .map(|c| format!("ind_{c}"))
            .collect();
        keys.extend(
            ALL_STATUSES
                .iter()
                .map(|s| format!("reg_status_{}", s.as_str())),
        );
        keys.extend(
            ALL_CAUSES
                .iter()
                .map(|c| format!("reg_cause_{}", c.as_str())),
        );
        keys.extend(
            ALL_RELATIONS
                .iter()
                .map(|r| format!("relation_{}", r.as_str())),
        );
        use dingdian_core::registry::{
            ALL_EDUCATION, ALL_HEALTH, ALL_HOUSEHOLD_TYPES, ALL_LABOUR_SKILLS, ALL_MIGRANT_WORK,
        };
        keys.extend(ALL_HOUSEHOLD_TYPES.map(|v| format!("household_type_{}", v.as_str())));
        keys.extend(ALL_HEALTH.map(|v| format!("health_{}", v.as_str())));
        keys.extend(ALL_EDUCATION.map(|v| format!("education_{}", v.as_str())));
        keys.extend(ALL_LABOUR_SKILLS.map(|v| format!("labour_skill_{}", v.as_str())));
        keys.extend(ALL_MIGRANT_WORK.map(|v| format!("migrant_work_{}", v.as_str())));
        for k in [
            "sex_male",
            "sex_female",
            "job_running",
            "job_succeeded",
            "job_failed",
        ] {
            keys.push(k.into());
        }
        for p in [
            "read",
            "validate",
            "households",
            "index",
            "check",
            "write",
            "refresh",
        ] {
            keys.push(format!("phase_{p}"));
        }
        for k in &keys {
            let (zh, en) = (t("zh", k), t("en", k));
            assert!(
                zh != *k && en != *k && zh != en || k == "ind_fgt0",
                "{k} in both languages"
            );
        }
    }

    #[test]
    fn falls_back_to_chinese_and_to_the_key() {
        assert_eq!(t("en", "sign_in"), "Sign in");
        assert_eq!(t("zh", "sign_in"), "登录");
        assert_eq!(t("fr", "sign_in"), "登录");
        assert_eq!(t("zh", "no-such-key"), "no-such-key");
    }
}
