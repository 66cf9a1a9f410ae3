-- 雷州市人民法院 审判执行案件库 (read-only tables as the credit platform reads them).
-- SQLite- and PostgreSQL-compatible. Column names are the pinyin initials such case systems use.
-- One row per case (fy_aj) and one per party of a case (fy_ajdsr), the platform reads the parties of
-- cases closed (裁判/结案) on the report date. Dates are DATE (ISO text 'YYYY-MM-DD' in SQLite), and the query's
-- report_date parameter is bound as ISO text.
CREATE TABLE fy_aj (
    ajbs        VARCHAR(36)   PRIMARY KEY,   -- 案件标识
    ah          VARCHAR(64)   NOT NULL,      -- 案号, e.g. （2024）粤0882民初1234号
    ajlx        VARCHAR(20)   NOT NULL,      -- 案件类型: 民事 / 刑事 / 行政 / 执行 / 国家赔偿
    ay          VARCHAR(200)  NOT NULL,      -- 案由
    jbfy        VARCHAR(200)  NOT NULL,      -- 经办法院
    jbfydm      CHAR(18)      NOT NULL,      -- 经办法院统一社会信用代码
    larq        DATE          NOT NULL,      -- 立案日期
    jarq        DATE,                        -- 结案（裁判）日期, NULL while pending
    cpjg        TEXT,                        -- 裁判结果 (判决主文 / 结案方式)
    sxrq        DATE,                        -- 生效日期
    zxyjwh      VARCHAR(128),                -- 执行依据文号 (执行案件)
    zxbdje      NUMERIC(18,6)                -- 执行标的金额（万元）(执行案件)
);

CREATE TABLE fy_ajdsr (
    dsrbs       VARCHAR(36)   PRIMARY KEY,   -- 当事人标识
    ajbs        VARCHAR(36)   NOT NULL REFERENCES fy_aj (ajbs),
    dsrmc       VARCHAR(200)  NOT NULL,      -- 当事人名称 / 姓名
    dsrlb       VARCHAR(20)   NOT NULL,      -- 当事人类别: 自然人 / 法人及非法人组织 / 个体工商户
    tyshxydm    CHAR(18),                    -- 统一社会信用代码 (organisations)
    fddbr       VARCHAR(50),                 -- 法定代表人 / 负责人
    zjlx        VARCHAR(40),                 -- 证件类型 (natural persons)
    zjhm        VARCHAR(64),                 -- 证件号码 (natural persons, masked whenever shown)
    ssdw        VARCHAR(50)   NOT NULL,      -- 诉讼地位: 原告 / 被告 / 第三人 / 申请执行人 / 被执行人 …
    lxqk        VARCHAR(20)                  -- 被执行人履行情况: 全部履行 / 部分履行 / 全部未履行
);

CREATE INDEX idx_fy_aj_jarq ON fy_aj (jarq);
CREATE INDEX idx_fy_ajdsr_ajbs ON fy_ajdsr (ajbs);
