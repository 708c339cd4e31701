// SPDX-License-Identifier: Apache-2.0
// The Cordon rule language: the whole surface syntax. Semantics (names, types, units, dates,
// countries) live in compiler/check; this grammar only decides the shape of a file.
// docs/language.md documents every construct with examples.
//
// Conventions:
// - `decl` is the unit of error recovery: compiler/parse parses one declaration at a time and,
//   after a syntax error, resumes at the next declaration keyword. Keep every top-level construct
//   starting with one of the keywords listed in compiler/parse/parse.cpp (kDeclKeywords).
// - `///` doc comments go to hidden channel 2 and are attached to the declaration that follows;
//   `//` comments go to channel 3, read only by compiler/format.
// - Soft keywords (`title`, `source`, `from`, `by`, `some`, `set`) are also valid names.
grammar Cordon;

// ---------------------------------------------------------------------------------------------
// Files and declarations

file        : moduleDecl? decl* EOF ;

moduleDecl  : MODULE qualifiedName moduleAttr* ;
moduleAttr  : TITLE STRING        # titleAttr
            | SOURCE STRING       # sourceAttr
            ;

decl        : importDecl
            | unitDecl
            | outcomesDecl
            | inputDecl
            | extendDecl
            | letDecl
            | tableDecl
            | normalizationDecl
            | ruleDecl
            | requireDecl
            | reviewDecl
            | testDecl
            ;

// import ear.country_groups (D1, D4, D5)
importDecl  : IMPORT qualifiedName (LPAREN name (COMMA name)* COMMA? RPAREN)? ;

// unit mm2        unit day = 24 h        unit tbps = 1000 GB / s
unitDecl    : UNIT name (ASSIGN expr)? ;

// outcomes prohibited > license_required > no_license_required
outcomesDecl: OUTCOMES name (GT name)* ;

// input Item { tpp: number  die_area: number mm2 }
inputDecl   : INPUT name LBRACE fieldDecl* RBRACE ;
fieldDecl   : name COLON typeExpr COMMA? ;

// extend input Item { hbm_density: number GB / s / mm2? }: optional fields added to a record
// declared in another module (the record is named as the extending module sees it)
extendDecl  : EXTEND INPUT name LBRACE fieldDecl* RBRACE ;

// let density(i: Item): number / mm2 = i.tpp / i.die_area
letDecl     : LET name (LPAREN (param (COMMA param)* COMMA?)? RPAREN)? (COLON typeExpr)? ASSIGN expr ;
param       : name COLON typeExpr ;

// table entity_list from "entities.csv" { name: text  country: country }
// extern table entity_list { name: text }
tableDecl   : EXTERN? TABLE name (FROM STRING)? LBRACE columnDecl* RBRACE ;
// name: text match normalized      name: text match listed_names
columnDecl  : name COLON typeExpr matchClause? COMMA? ;
matchClause : MATCH name ;

// normalization listed_names { remove "'." keep "&+" legal_forms from "legal_forms.csv" }
// How a `match` column compares names; the settings are checked in compiler/check.
normalizationDecl : NORMALIZATION name LBRACE normSetting* RBRACE ;
normSetting : name (name | NONE | STRING | FROM STRING) COMMA? ;

ruleDecl    : RULE name ruleClause* thenClause unlessClause* ;
ruleClause  : CITES STRING        # citesClause
            | EFFECTIVE dateRef   # effectiveClause
            | UNTIL dateRef       # untilClause
            | WHEN expr           # whenClause
            ;
thenClause  : THEN name STRING ;
unlessClause: UNLESS expr THEN name STRING ;

// reviewed 2026-11-23 grace days(30): the law is encoded as it stood on that day
reviewDecl  : REVIEWED dateRef (GRACE expr)? ;

// require request.item.tpp >= 0 "the TPP cannot be negative"
requireDecl : REQUIRE expr STRING ;

testDecl    : TEST STRING LBRACE givenClause* expectClause RBRACE ;
givenClause : GIVEN name ASSIGN expr ;
expectClause: EXPECT name (BY name (COMMA name)*)? ;

// ---------------------------------------------------------------------------------------------
// Types: number mm2, number / mm2, number GB / s, country?, enum { a, b }, set<country>

typeExpr    : typeBase unitSpec? QUESTION? ;
typeBase    : ENUM LBRACE name (COMMA name)* COMMA? RBRACE   # enumType
            | SET LT typeExpr GT                             # setType
            | LIST LT typeExpr (COMMA NUMBER)? GT            # listType
            | name                                           # namedType
            ;
unitSpec    : (name | SLASH name) ((STAR | SLASH) name)* ;

// ---------------------------------------------------------------------------------------------
// Expressions. In an ANTLR left-recursive rule an earlier alternative binds tighter:
//   postfix (.field, call) > unary minus > * / > + - > otherwise > comparisons, in, is
//   > not > and > or > if-then-else (its `else` branch reaches as far right as it can)

expr
    : primary                                              # primaryExpr
    | expr DOT name                                        # fieldExpr
    | expr LPAREN (expr (COMMA expr)* COMMA?)? RPAREN      # callExpr
    | MINUS expr                                           # negExpr
    | expr op=(STAR | SLASH) expr                          # mulExpr
    | expr op=(PLUS | MINUS) expr                          # addExpr
    | expr OTHERWISE expr                                  # otherwiseExpr
    | expr op=(EQ | NE | LT | LE | GT | GE) expr           # compareExpr
    | expr NOT? IN expr                                    # inExpr
    | expr IS SOME name                                    # isSomeExpr
    | expr IS NONE                                         # isNoneExpr
    | NOT expr                                             # notExpr
    | expr AND expr                                        # andExpr
    | expr OR expr                                         # orExpr
    | IF expr THEN expr ELSE expr                          # ifExpr
    // any o in request.end_user.owners: o.share >= 50 percent (the body reaches as far right
    // as it can, as an `else` branch does)
    | quant=(ANY | ALL | COUNT | SUM | MIN | MAX) name IN expr COLON expr  # quantExpr
    ;

primary
    : NUMBER unit=(IDENT | MIN)?                           # numberLit
    | STRING                                               # stringLit
    | DATE                                                 # dateLit
    | BAD_DATE                                             # badDateLit
    | (TRUE | FALSE)                                       # boolLit
    | NONE                                                 # noneLit
    | name                                                 # nameRef
    | LBRACE fieldInit (COMMA fieldInit)* COMMA? RBRACE    # recordLit
    | LBRACE (setElement (COMMA setElement)* COMMA?)? RBRACE  # setLit
    | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK           # listLit
    | LPAREN expr RPAREN                                   # parenExpr
    ;
fieldInit   : name COLON expr ;
// A member of a set, and for a dated set the days it is a member: `NI from 2024-03-15`.
setElement  : expr (FROM dateRef)? (UNTIL dateRef)? ;
date        : DATE | BAD_DATE ;
// A date in `effective`/`until`: written out, or the name of a `let` holding one.
dateRef     : date | name ;

qualifiedName : name (DOT name)* ;
name        : IDENT | TITLE | SOURCE | FROM | BY | SOME | SET | LIST | ANY | ALL | COUNT | SUM | MIN
            | MAX ;

// ---------------------------------------------------------------------------------------------
// Lexer

MODULE    : 'module' ;
TITLE     : 'title' ;
SOURCE    : 'source' ;
IMPORT    : 'import' ;
UNIT      : 'unit' ;
OUTCOMES  : 'outcomes' ;
INPUT     : 'input' ;
LET       : 'let' ;
EXTERN    : 'extern' ;
TABLE     : 'table' ;
NORMALIZATION : 'normalization' ;
MATCH     : 'match' ;
FROM      : 'from' ;
RULE      : 'rule' ;
REQUIRE   : 'require' ;
CITES     : 'cites' ;
EFFECTIVE : 'effective' ;
UNTIL     : 'until' ;
WHEN      : 'when' ;
THEN      : 'then' ;
UNLESS    : 'unless' ;
TEST      : 'test' ;
GIVEN     : 'given' ;
EXPECT    : 'expect' ;
BY        : 'by' ;
ENUM      : 'enum' ;
SET       : 'set' ;
AND       : 'and' ;
OR        : 'or' ;
NOT       : 'not' ;
IN        : 'in' ;
IS        : 'is' ;
SOME      : 'some' ;
NONE      : 'none' ;
TRUE      : 'true' ;
FALSE     : 'false' ;
OTHERWISE : 'otherwise' ;
IF        : 'if' ;
EXTEND    : 'extend' ;
REVIEWED  : 'reviewed' ;
GRACE     : 'grace' ;
ELSE      : 'else' ;
LIST      : 'list' ;
ANY       : 'any' ;
ALL       : 'all' ;
COUNT     : 'count' ;
SUM       : 'sum' ;
MIN       : 'min' ;
MAX       : 'max' ;

LPAREN   : '(' ;
RPAREN   : ')' ;
LBRACE   : '{' ;
LBRACK   : '[' ;
RBRACK   : ']' ;
RBRACE   : '}' ;
COMMA    : ',' ;
COLON    : ':' ;
DOT      : '.' ;
QUESTION : '?' ;
ASSIGN   : '=' ;
EQ       : '==' ;
NE       : '!=' ;
LE       : '<=' ;
GE       : '>=' ;
LT       : '<' ;
GT       : '>' ;
PLUS     : '+' ;
MINUS    : '-' ;
STAR     : '*' ;
SLASH    : '/' ;

// A date is exactly YYYY-MM-DD; the calendar check happens when the AST is built. A near miss
// such as 2024-1-5 is its own token so that it is reported as a date, not read as subtraction.
DATE     : DIGIT DIGIT DIGIT DIGIT '-' DIGIT DIGIT '-' DIGIT DIGIT ;
BAD_DATE : DIGIT DIGIT DIGIT DIGIT '-' DIGIT DIGIT? '-' DIGIT DIGIT? DIGIT* ;
NUMBER   : DIGIT (DIGIT | '_')* ('.' DIGIT (DIGIT | '_')*)? ;
IDENT    : [a-zA-Z_] [a-zA-Z0-9_]* ;

// Escapes are validated when the AST is built, so a bad one gets a precise diagnostic.
STRING              : '"' (ESC | ~["\\\r\n])* '"' ;
// 'text' is reported as a string in the wrong quotes, in one diagnostic.
SINGLE_QUOTED       : '\'' ~['\r\n]* '\'' ;
UNTERMINATED_STRING : '"' (ESC | ~["\\\r\n])* '\\'? ;
fragment ESC        : '\\' ~[\r\n] ;
fragment DIGIT      : [0-9] ;

DOC_COMMENT  : '///' (~[/\r\n] ~[\r\n]*)? -> channel(2) ;
// Channel 3 (not skipped): the formatter keeps comments where they were.
LINE_COMMENT : '//' ~[\r\n]* -> channel(3) ;
WS           : [ \t\r\n\f\uFEFF]+ -> skip ;

// Anything else becomes a token of its own, so the parser reports it with context instead of
// the lexer printing "token recognition error".
ERROR_CHAR : . ;
