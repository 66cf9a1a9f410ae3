-- 雷州市市场监督管理局 市场主体登记库 (read-only view of the registry as the credit platform reads it).
-- SQLite- and PostgreSQL-compatible. Column names are the pinyin initials such registry systems use,
-- one row per 市场主体, rewritten on every approved change (hzrq = the day of the latest approval).
-- Dates are stored as DATE (ISO text 'YYYY-MM-DD' in SQLite), and the query's
-- report_date parameter is bound as ISO text.
CREATE TABLE scjg_scztdj (
    pripid      VARCHAR(36)   PRIMARY KEY,   -- 主体身份代码 (internal id)
    ztmc        VARCHAR(200)  NOT NULL,      -- 主体名称
    ztlb        VARCHAR(20)   NOT NULL,      -- 主体类别: 法人及非法人组织 / 个体工商户 (or codes 02/03/04)
    tyshxydm    CHAR(18),                    -- 统一社会信用代码
    zch         VARCHAR(50),                 -- 注册号 (legacy)
    fddbr       VARCHAR(50),                 -- 法定代表人 / 负责人 / 经营者
    qylx        VARCHAR(100)  NOT NULL,      -- 市场主体类型 (企业类型)
    zczb        NUMERIC(18,6),               -- 注册资本（万元）, 个体工商户: 资金数额
    clrq        DATE          NOT NULL,      -- 成立日期
    yyqxz       DATE,                        -- 营业期限自
    yyqxzhi     DATE,                        -- 营业期限至 (NULL = 长期)
    zs          VARCHAR(500)  NOT NULL,      -- 住所（经营场所）
    jyfw        TEXT          NOT NULL,      -- 经营范围
    hyml        VARCHAR(100),                -- 行业门类 (GB/T 4754)
    djjg        VARCHAR(200)  NOT NULL,      -- 登记机关
    hzrq        DATE          NOT NULL,      -- 核准日期 (latest approval)
    djzt        VARCHAR(20)   NOT NULL       -- 登记状态: 存续 / 迁出 / 吊销 / 注销 / 撤销
);

CREATE INDEX idx_scjg_scztdj_hzrq ON scjg_scztdj (hzrq);
